#include "engine/io/json_text.h"

#include "engine/core/error.h"

namespace distillery {

nlohmann::json parse_json_text(const std::string& text, const std::string& what) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    std::string message = e.what();
    const size_t bracket = message.find("] ");
    if (message.rfind("[json.exception", 0) == 0 && bracket != std::string::npos) message = message.substr(bracket + 2);
    throw Error(what + " is not valid JSON: " + message);
  }
}

}  // namespace distillery
