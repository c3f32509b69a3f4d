#include "engine/io/json_text.h"

#include "engine/core/error.h"
#include "engine/io/json_limits.h"

namespace distillery {

nlohmann::json parse_json_text(const std::string& text, const std::string& what) {
  check_json_limits(text, what);  // size and nesting depth, before the parser allocates
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    // parse_error for syntax, out_of_range for a number beyond double ("1e400").
    std::string message = e.what();
    const size_t bracket = message.find("] ");
    if (message.rfind("[json.exception", 0) == 0 && bracket != std::string::npos) message = message.substr(bracket + 2);
    throw Error(what + " is not valid JSON: " + message);
  }
}

}  // namespace distillery
