// Fuzz target: decode_dataset, the entry point for uploads: a list of files
// (records, see fuzz_input.h) recognised as ZIP, CSV (plain or gzip), an IDX
// pair or an image folder, after byte 0, which picks a wanted image shape
// (high bit set) so the conversion path runs too.
#include <cstdint>
#include <vector>

#include "engine/core/error.h"
#include "engine/data/dataset_decoding.h"
#include "fuzz_input.h"

using namespace distillery;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  DatasetOptions options;
  options.limits = fuzz::fuzz_limits();
  const uint8_t mode = data[0];
  if (mode & 0x80) {
    options.height = options.width = 1 + (mode & 0x0F);
    options.channels = (mode & 0x10) ? 3 : 1;
  }
  const std::vector<FileEntry> files = fuzz::split_records(data + 1, size - 1, 16);
  try {
    const Dataset dataset = decode_dataset(files, options);
    if (dataset.pixels.size() != size_t(dataset.size()) * size_t(dataset.image_bytes())) __builtin_trap();
    for (int label : dataset.labels)
      if (label < 0 || label >= dataset.num_classes()) __builtin_trap();
  } catch (const Error&) {
  }
  return 0;
}
