// Fuzz target: gzip decoding (gunzip), which also drives the raw-deflate
// decoder shared with ZIP entries.
#include <cstdint>
#include <vector>

#include "engine/core/error.h"
#include "engine/data/gzip.h"
#include "fuzz_input.h"

using namespace distillery;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::vector<uint8_t> bytes(data, data + size);
  try {
    gunzip(bytes, "fuzz.gz", fuzz::fuzz_limits().max_inflated_bytes);
  } catch (const Error&) {
  }
  return 0;
}
