#pragma once
// Parsing JSON that a person supplied: a syntax error becomes an Error that
// names the document and says where it broke, without nlohmann's prefix.
// The text's size and nesting depth are checked first (json_limits.h).
#include <string>

#include <nlohmann/json.hpp>

namespace distillery {

// what: the document's name in the message, e.g. "the model file".
nlohmann::json parse_json_text(const std::string& text, const std::string& what);

// A field of an unexpected JSON type that the checks missed surfaces as a
// nlohmann exception (value() on a string, get<int>() on null...). Readers of
// JSON documents catch it at their entry point and throw this instead, so it
// reaches the user as "<what> has an unexpected structure: ..." and never
// escapes as a crash (in the browser it would abort the module). The fuzzers
// found three such escapes (fuzz/).
[[noreturn]] void throw_structure_error(const nlohmann::json::exception& e, const std::string& what);

}  // namespace distillery
