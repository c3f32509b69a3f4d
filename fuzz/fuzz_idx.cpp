// Fuzz target: an IDX images + labels pair (decode_idx), each plain or gzip.
// Input: two records (fuzz_input.h); the names are ignored.
#include <cstdint>
#include <vector>

#include "engine/core/error.h"
#include "engine/data/idx.h"
#include "fuzz_input.h"

using namespace distillery;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<FileEntry> files = fuzz::split_records(data, size, 2);
  files.resize(2);
  IdxOptions options;
  options.limits = fuzz::fuzz_limits();
  options.fashion_mnist_names = !files[0].path.empty() && files[0].path[0] == 'f';
  try {
    const Dataset dataset = decode_idx(files[0].bytes, files[1].bytes, options);
    if (dataset.pixels.size() != size_t(dataset.size()) * size_t(dataset.image_bytes())) __builtin_trap();
    for (int label : dataset.labels)
      if (label < 0 || label >= dataset.num_classes()) __builtin_trap();
  } catch (const Error&) {
  }
  return 0;
}
