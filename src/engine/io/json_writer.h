#pragma once
// Pretty-printing for documents holding long number arrays (weights, masks):
// objects and arrays of objects are indented, but an array of plain values
// stays on one line, so a model file is readable and diffs stay small.
// Strings that are not valid UTF-8 are written with U+FFFD replacements
// rather than failing the whole save.
#include <string>

#include <nlohmann/json.hpp>

namespace distillery {

// indent < 0 gives the compact single-line form. Works for nlohmann::json and
// nlohmann::ordered_json alike.
template <typename Json>
std::string dump_json_compact_arrays(const Json& value, int indent);

}  // namespace distillery
