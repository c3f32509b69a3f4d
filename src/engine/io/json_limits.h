#pragma once
// Limits for untrusted JSON text (model files, JSON architectures, TF.js
// model.json), checked by a cheap scan BEFORE the text is parsed: nlohmann's
// parser needs several times the text's size in memory, and copying or
// printing a parsed document recurses once per nesting level, so a file of a
// million '[' would overflow the stack long after parsing succeeded.
#include <cstdint>
#include <string>

namespace distillery {

struct JsonLimits {
  int64_t max_bytes = int64_t(1) << 30;  // 1 GiB of text: a model of ~64 M weights written as numbers
  int max_depth = 256;                   // nesting of arrays and objects; model files need < 10
};

// Throws Error "<what> is N bytes, over the limit of M bytes" or
// "<what> nests arrays/objects deeper than N levels (at byte K)". Brackets
// inside strings (with escapes) do not count.
void check_json_limits(const std::string& text, const std::string& what, const JsonLimits& limits = {});

}  // namespace distillery
