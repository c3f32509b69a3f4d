#include "engine/model/arch_token.h"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <sstream>

#include "engine/core/error.h"
#include "engine/core/text.h"
#include "engine/layers/layer_registry.h"

namespace distillery {

ArchToken::ArchToken(std::string text, int position, bool flat, std::vector<nlohmann::json>& out)
    : text_(std::move(text)), position_(position), parts_(split(text_, ':')), flat_(flat), out_(out) {
  if (parts_.empty()) parts_.push_back("");
}

std::string ArchToken::where() const { return "'" + text_ + "' at position " + std::to_string(position_); }

void ArchToken::require_parts(size_t min, size_t max, const char* usage) const {
  require(parts_.size() >= min && parts_.size() <= max, where() + ": expected " + usage);
}

int ArchToken::positive_int(size_t i, const char* what, int max) const { return int_from(parts_[i], what, max); }

int ArchToken::int_from(const std::string& text, const char* what, int max) const {
  char* end = nullptr;
  const long value = std::strtol(text.c_str(), &end, 10);
  require(!text.empty() && end == text.c_str() + text.size() && value > 0 && value <= max,
          where() + ": " + what + " must be a whole number from 1 to " + std::to_string(max) + ", got '" + text + "'");
  return static_cast<int>(value);
}

nlohmann::json ArchToken::window(size_t i, const char* what) const {
  const std::string& text = parts_[i];
  const size_t x = text.find('x');
  if (x == std::string::npos) return int_from(text, what, 4096);
  return nlohmann::json::array({int_from(text.substr(0, x), what, 4096), int_from(text.substr(x + 1), what, 4096)});
}

float ArchToken::number(size_t i, const char* what) const {
  const std::string& text = parts_[i];
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  require(!text.empty() && end == text.c_str() + text.size() && std::isfinite(value),
          where() + ": " + what + " must be a number, got '" + text + "'");
  return static_cast<float>(value);
}

namespace {

bool is_arch_activation(const std::string& name) {
  if (name == "linear") return true;
  const LayerKind* kind = LayerRegistry::instance().find(name);
  return kind != nullptr && kind->arch_activation;
}

std::string activation_names() {
  std::string names;
  for (const LayerKind* kind : LayerRegistry::instance().kinds())
    if (kind->arch_activation) names += kind->type + ", ";
  return names + "linear";
}

}  // namespace

ArchOptions ArchToken::options(size_t first, bool allow_window, bool allow_activation) const {
  ArchOptions options;
  for (size_t i = first; i < parts_.size(); ++i) {
    const std::string& opt = parts_[i];
    if (allow_window && opt.size() > 1 && opt[0] == 's' && std::isdigit(static_cast<unsigned char>(opt[1]))) {
      options.stride = int_from(opt.substr(1), "the stride after 's'", 4096);
    } else if (allow_window && (opt == "same" || opt == "valid")) {
      options.padding = opt;
    } else if (allow_activation && is_arch_activation(opt)) {
      options.activation = opt;
    } else {
      throw Error(where() + ": unknown option '" + opt + "'" +
                  (allow_activation ? " (use sN, same, valid or " + activation_names() + ")" : " (use sN or same)"));
    }
  }
  return options;
}

void ArchToken::require_image() const {
  require(!flat_, where() + " comes after a flat (dense or flatten) layer; put convolutions and pooling first");
}

void ArchToken::add_activation(const std::string& activation) {
  const std::string name = activation.empty() ? "relu" : activation;
  if (name != "linear") add(nlohmann::json{{"type", name}});
}

std::string arch_window_text(const nlohmann::json& value) {
  if (value.is_array() && value.size() == 2) {
    if (value[0] == value[1]) return value[0].dump();
    return value[0].dump() + "x" + value[1].dump();
  }
  return value.dump();
}

std::string arch_number_text(float value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

}  // namespace distillery
