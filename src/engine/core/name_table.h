#pragma once
// The one table of names of a closed set of choices (an enum class): the names
// the CLI, the JS API, model files and saved sessions use. A value's first row
// is its name; later rows for the same value are aliases, old spellings that
// files written earlier still hold, accepted when reading and never written.
//
//   const NameTable<Fruit> kFruits("fruit", {{Fruit::kApple, "apple"}, {Fruit::kPear, "pear"}});
//   kFruits.name(Fruit::kPear);   // "pear"
//   kFruits.parse("plum");        // throws "unknown fruit 'plum' (use apple or pear)"
#include <initializer_list>
#include <string>
#include <vector>

#include "engine/core/error.h"

namespace distillery {

template <typename E>
class NameTable {
 public:
  struct Row {
    E value;
    const char* name;
  };
  NameTable(const char* what, std::initializer_list<Row> rows) : what_(what), rows_(rows) {}

  const char* name(E value) const {
    for (const Row& row : rows_)
      if (row.value == value) return row.name;
    return "?";  // unreachable for a complete table
  }
  // Throws Error naming the set and listing the names when `name` is none of them.
  E parse(const std::string& name) const {
    for (const Row& row : rows_)
      if (name == row.name) return row.value;
    throw Error("unknown " + what_ + " '" + name + "' (use " + listing() + ")");
  }
  bool contains(const std::string& name) const {
    for (const Row& row : rows_)
      if (name == row.name) return true;
    return false;
  }
  // The names, aliases left out, in table order: for --help and choice lists.
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (size_t i = 0; i < rows_.size(); ++i)
      if (name(rows_[i].value) == rows_[i].name) out.emplace_back(rows_[i].name);
    return out;
  }
  // "a, b or c"
  std::string listing() const {
    const std::vector<std::string> all = names();
    std::string out;
    for (size_t i = 0; i < all.size(); ++i) out += (i == 0 ? "" : i + 1 == all.size() ? " or " : ", ") + all[i];
    return out;
  }

 private:
  std::string what_;
  std::vector<Row> rows_;
};

}  // namespace distillery
