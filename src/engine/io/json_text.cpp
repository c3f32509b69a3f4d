#include "engine/io/json_text.h"

#include "engine/core/error.h"
#include "engine/io/json_limits.h"

namespace distillery {

namespace {

std::string without_nlohmann_prefix(std::string message) {
  const size_t bracket = message.find("] ");
  if (message.rfind("[json.exception", 0) == 0 && bracket != std::string::npos) message = message.substr(bracket + 2);
  return message;
}

}  // namespace

nlohmann::json parse_json_text(const std::string& text, const std::string& what) {
  check_json_limits(text, what);  // size and nesting depth, before the parser allocates
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    // parse_error for syntax, out_of_range for a number beyond double ("1e400").
    throw Error(what + " is not valid JSON: " + without_nlohmann_prefix(e.what()));
  }
}

void throw_structure_error(const nlohmann::json::exception& e, const std::string& what) {
  throw Error(what + " has an unexpected structure: " + without_nlohmann_prefix(e.what()));
}

}  // namespace distillery
