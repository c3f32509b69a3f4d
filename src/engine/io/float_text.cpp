#include "engine/io/float_text.h"

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace distillery {
namespace {

bool same_bits(float a, float b) { return std::memcmp(&a, &b, sizeof(float)) == 0; }

// Shortest decimal that reads back (as float) to value, into buf.
void shortest_float_text(float value, char* buf, size_t size) {
#if defined(__cpp_lib_to_chars)
  auto result = std::to_chars(buf, buf + size - 1, value);
  *result.ptr = '\0';
#else
  // libc++ of Emscripten 3.1.6 has no floating-point to_chars: search the precision.
  for (int precision = 6; precision <= 9; ++precision) {
    std::snprintf(buf, size, "%.*g", precision, static_cast<double>(value));
    if (same_bits(std::strtof(buf, nullptr), value)) return;
  }
#endif
}

}  // namespace

double float_to_json_double(float value) {
  char buf[64];
  shortest_float_text(value, buf, sizeof buf);
  const double candidate = std::strtod(buf, nullptr);
  if (same_bits(static_cast<float>(candidate), value)) return candidate;
  return static_cast<double>(value);
}

}  // namespace distillery
