#include "cli/args.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "engine/core/error.h"
#include "engine/core/settings.h"

namespace distillery {

ArgParser::ArgParser(std::string command, std::string description)
    : command_(std::move(command)), description_(std::move(description)) {}

void ArgParser::add_value(const std::string& flag, const std::string& metavar, const std::string& help,
                          const std::string& default_text, bool required) {
  flags_.push_back({flag, metavar, help, default_text, true, required});
}

void ArgParser::add_switch(const std::string& flag, const std::string& help) {
  flags_.push_back({flag, "", help, "", false, false});
}

void ArgParser::allow_positionals(const std::string& metavar, const std::string& help, int min_count) {
  positionals_allowed_ = true;
  positional_metavar_ = metavar;
  positional_help_ = help;
  positional_min_ = min_count;
}

const ArgParser::Flag* ArgParser::find(const std::string& name) const {
  for (const Flag& f : flags_)
    if (f.name == name) return &f;
  return nullptr;
}

const std::string& ArgParser::declared_default(const std::string& flag) const {
  const Flag* f = find(flag);
  require(f != nullptr, flag + ": read but never declared");
  return f->default_text;
}

bool ArgParser::parse(const std::vector<std::string>& args) {
  // Flags every subcommand takes, listed after its own.
  if (!find("--threads")) add_value("--threads", "N", "worker threads for the kernels (0 = automatic)", "0");
  raw_args_ = args;
  const std::string see_help = " (see distillery " + command_ + " --help)";
  bool only_positionals = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    require(!arg.empty(), "an empty argument (\"\") was given" + see_help);
    if (only_positionals || arg.size() < 2 || arg[0] != '-' || arg == "-") {
      require(positionals_allowed_, "unexpected argument '" + arg + "'" + see_help);
      positionals_.push_back(arg);
      continue;
    }
    if (arg == "--") {
      only_positionals = true;
      continue;
    }
    if (arg == "--help" || arg == "-h") {
      std::fputs(help_text().c_str(), stdout);
      return false;
    }
    std::string name = arg, value;
    bool inline_value = false;
    const size_t eq = arg.find('=');
    if (arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
      inline_value = true;
    }
    const Flag* flag = find(name);
    require(flag != nullptr, name + ": unknown flag for 'distillery " + command_ + "'" + see_help);
    require(!has(name), name + ": given twice");
    if (!flag->takes_value) {
      require(!inline_value, name + ": takes no value");
      values_[name] = "";
      continue;
    }
    if (!inline_value) {
      require(i + 1 < args.size(), name + ": needs a value (" + flag->metavar + ")");
      value = args[++i];
      // "--out --json": the value is missing, not named "--json".
      require(!(value.rfind("--", 0) == 0 && find(value.substr(0, value.find('='))) != nullptr),
              name + ": needs a value (" + flag->metavar + "), got the flag " + value);
    }
    require(!value.empty(), name + ": the value is empty");
    values_[name] = value;
  }
  for (const Flag& f : flags_)
    require(!f.required || has(f.name), f.name + ": required" + see_help);
  require(static_cast<int>(positionals_.size()) >= positional_min_,
          "expected at least " + std::to_string(positional_min_) + " " + positional_metavar_ + see_help);
  set_thread_count(get_int("--threads", 0, 0, kMaxThreads));
  return true;
}

std::string ArgParser::get(const std::string& flag, const std::string& fallback) const {
  auto it = values_.find(flag);
  return it == values_.end() ? fallback : it->second;
}

int ArgParser::get_int(const std::string& flag, int fallback, int min, int max) const {
  if (!has(flag)) return fallback;
  const std::string text = get(flag);
  char* end = nullptr;
  errno = 0;
  const long value = std::strtol(text.c_str(), &end, 10);
  require(end == text.c_str() + text.size() && errno == 0 && value >= min && value <= max,
          flag + ": expected a whole number from " + std::to_string(min) + " to " + std::to_string(max) + ", got '" +
              text + "'");
  return static_cast<int>(value);
}

double ArgParser::get_double(const std::string& flag, double min, double max) const {
  const std::string& text = declared_default(flag);
  char* end = nullptr;
  const double fallback = std::strtod(text.c_str(), &end);
  require(!text.empty() && end == text.c_str() + text.size(),
          flag + ": declared with the default '" + text + "', which is not a number");
  return get_double(flag, fallback, min, max);
}

double ArgParser::get_double(const std::string& flag, double fallback, double min, double max) const {
  if (!has(flag)) return fallback;
  const std::string text = get(flag);
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  auto number = [](double v) {
    std::string s = std::to_string(v);
    s.erase(s.find_last_not_of('0') + 1);
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s;
  };
  require(end == text.c_str() + text.size() && std::isfinite(value) && value >= min && value <= max,
          flag + ": expected a number from " + number(min) + " to " + number(max) + ", got '" + text + "'");
  return value;
}

std::string ArgParser::get_choice(const std::string& flag, const std::string& fallback,
                                  const std::vector<std::string>& choices) const {
  const std::string value = get(flag, fallback);
  std::string list;
  for (const std::string& c : choices) {
    if (c == value) return value;
    list += (list.empty() ? "" : ", ") + c;
  }
  throw Error(flag + ": '" + value + "' is not one of " + list);
}

std::string ArgParser::help_text() const {
  std::string usage = "usage: distillery " + command_;
  for (const Flag& f : flags_) {
    if (!f.required) continue;
    usage += " " + f.name + (f.takes_value ? " " + f.metavar : "");
  }
  usage += " [options]";
  if (positionals_allowed_) usage += " " + positional_metavar_ + "...";
  std::string out = usage + "\n\n" + description_ + "\n\n";
  auto line = [&out](const std::string& left, const std::string& help) {
    std::string l = "  " + left;
    if (l.size() < 26)
      l.resize(26, ' ');
    else
      l += "\n" + std::string(26, ' ');
    out += l + help + "\n";
  };
  if (positionals_allowed_) line(positional_metavar_ + "...", positional_help_);
  for (const Flag& f : flags_) {
    std::string help = f.help;
    if (f.required) help += " (required)";
    if (!f.default_text.empty()) help += " [default: " + f.default_text + "]";
    line(f.name + (f.takes_value ? " " + f.metavar : ""), help);
  }
  line("--help", "show this help");
  if (!epilog_.empty()) out += "\n" + epilog_;
  return out;
}

std::string ArgParser::command_line() const {
  std::string out = "distillery " + command_;
  for (const std::string& a : raw_args_) {
    const bool plain = a.find_first_of(" \t\"'\\$") == std::string::npos && !a.empty();
    out += " " + (plain ? a : "'" + a + "'");
  }
  return out;
}

}  // namespace distillery
