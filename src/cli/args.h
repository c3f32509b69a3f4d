#pragma once
// Command-line flags of one subcommand: declared with their help text, parsed
// strictly (unknown flags, missing values, repeats and missing required flags
// are errors), read with range checks. Errors are distillery::Error with the
// message "--flag: problem", which main() prints as "distillery: --flag: problem".
// Every subcommand also takes --threads N, applied to the engine's kernels
// (engine/core/settings.h) as soon as the flags parse.
//
//   ArgParser args("train", "Train a classifier from scratch.");
//   args.add_value("--epochs", "N", "passes over the training data", "5");
//   if (!args.parse(argv_rest)) return 0;   // --help was printed
//   int epochs = args.get_int("--epochs", 5, 1, 100000);
#include <map>
#include <limits>
#include <string>
#include <vector>

#include "engine/core/name_table.h"

namespace distillery {

class ArgParser {
 public:
  ArgParser(std::string command, std::string description);

  // A flag taking a value. default_text only documents the default.
  void add_value(const std::string& flag, const std::string& metavar, const std::string& help,
                 const std::string& default_text = "", bool required = false);
  void add_required(const std::string& flag, const std::string& metavar, const std::string& help) {
    add_value(flag, metavar, help, "", true);
  }
  // A flag naming one of a closed set: its help lists the engine's name
  // table (the one home of the names) and `note` says what they mean.
  template <typename E>
  void add_named(const std::string& flag, const std::string& metavar, const NameTable<E>& table, E fallback,
                 const std::string& note = "") {
    add_value(flag, metavar, named_help(table.listing(), note), table.name(fallback));
  }
  template <typename E>
  void add_required_named(const std::string& flag, const std::string& metavar, const NameTable<E>& table,
                          const std::string& note = "") {
    add_value(flag, metavar, named_help(table.listing(), note), "", true);
  }
  // A flag without a value (e.g. --json).
  void add_switch(const std::string& flag, const std::string& help);
  // Arguments that are not flags (e.g. predict's images); without this they are errors.
  void allow_positionals(const std::string& metavar, const std::string& help, int min_count);
  // Free text appended to --help (examples, grammar notes).
  void add_epilog(const std::string& text) { epilog_ += text; }

  // Returns false when --help was given: the help went to stdout.
  bool parse(const std::vector<std::string>& args);

  bool has(const std::string& flag) const { return values_.count(flag) != 0; }
  std::string get(const std::string& flag, const std::string& fallback = "") const;
  int get_int(const std::string& flag, int fallback, int min, int max) const;
  double get_double(const std::string& flag, double fallback, double min, double max) const;
  // The value, else the number the flag was declared with (default_text).
  double get_double(const std::string& flag, double min, double max) const;
  // The value, which must be one of choices.
  std::string get_choice(const std::string& flag, const std::string& fallback,
                         const std::vector<std::string>& choices) const;
  // A whole number of any size: for settings whose limits the engine's
  // validate_* functions check, so that every front end says the same.
  int get_whole(const std::string& flag, int fallback) const {
    return get_int(flag, fallback, std::numeric_limits<int>::min(), std::numeric_limits<int>::max());
  }
  // One of a closed set, by the engine's name table (aliases accepted too).
  template <typename E>
  E get_named(const std::string& flag, E fallback, const NameTable<E>& table) const {
    return named_value(flag, get(flag, table.name(fallback)), table);
  }
  // A flag declared by add_named: its value, else the default it was declared
  // with, so the default is written once.
  template <typename E>
  E get_named(const std::string& flag, const NameTable<E>& table) const {
    return named_value(flag, get(flag, declared_default(flag)), table);
  }
  const std::vector<std::string>& positionals() const { return positionals_; }
  const std::string& command() const { return command_; }

  std::string help_text() const;
  // "distillery train --data x ..." as given, for provenance.
  std::string command_line() const;

 private:
  struct Flag {
    std::string name, metavar, help, default_text;
    bool takes_value = true;
    bool required = false;
  };
  const Flag* find(const std::string& name) const;
  // The default_text a flag was declared with; an Error for an undeclared flag.
  const std::string& declared_default(const std::string& flag) const;
  // `text` by the table (aliases too); anything else is get_choice's error listing the names.
  template <typename E>
  E named_value(const std::string& flag, const std::string& text, const NameTable<E>& table) const {
    if (table.contains(text)) return table.parse(text);
    return table.parse(get_choice(flag, text, table.names()));
  }
  static std::string named_help(const std::string& listing, const std::string& note) {
    return note.empty() ? listing : listing + "; " + note;
  }

  std::string command_, description_, epilog_;
  std::vector<Flag> flags_;
  bool positionals_allowed_ = false;
  std::string positional_metavar_, positional_help_;
  int positional_min_ = 0;
  std::map<std::string, std::string> values_;
  std::vector<std::string> positionals_;
  std::vector<std::string> raw_args_;
};

}  // namespace distillery
