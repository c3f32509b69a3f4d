// Fuzz target: CSV datasets (decode_csv). Byte 0 picks a wanted image shape
// (0 = infer it), the rest is the text.
#include <cstdint>
#include <string>

#include "engine/core/error.h"
#include "engine/data/csv.h"
#include "fuzz_input.h"

using namespace distillery;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  CsvOptions options;
  options.limits = fuzz::fuzz_limits();
  if (data[0] & 0x80) {
    options.height = 1 + (data[0] & 0x7) ;
    options.width = 1 + ((data[0] >> 3) & 0x7);
    options.channels = (data[0] & 0x40) ? 3 : 1;
  }
  const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  try {
    const Dataset dataset = decode_csv(text, options, "fuzz.csv");
    if (dataset.pixels.size() != size_t(dataset.size()) * size_t(dataset.image_bytes())) __builtin_trap();
    for (int label : dataset.labels)
      if (label < 0 || label >= dataset.num_classes()) __builtin_trap();
  } catch (const Error&) {
  }
  return 0;
}
