#pragma once
// Parsing JSON that a person supplied: a syntax error becomes an Error that
// names the document and says where it broke, without nlohmann's prefix.
// The text's size and nesting depth are checked first (json_limits.h).
#include <string>

#include <nlohmann/json.hpp>

namespace distillery {

// what: the document's name in the message, e.g. "the model file".
nlohmann::json parse_json_text(const std::string& text, const std::string& what);

}  // namespace distillery
