#include "engine/io/json_limits.h"

#include "engine/core/error.h"

namespace distillery {

void check_json_limits(const std::string& text, const std::string& what, const JsonLimits& limits) {
  require(int64_t(text.size()) <= limits.max_bytes, what + " is " + std::to_string(text.size()) +
                                                        " bytes, over the limit of " +
                                                        std::to_string(limits.max_bytes) + " bytes");
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;  // the escaped character cannot end the string
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limits.max_depth)
        throw Error(what + " nests arrays/objects deeper than " + std::to_string(limits.max_depth) +
                    " levels (at byte " + std::to_string(i) + ")");
    } else if (c == ']' || c == '}') {
      --depth;  // unbalanced text is the parser's to report
    }
  }
}

}  // namespace distillery
