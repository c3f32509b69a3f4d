// Fuzz target: TensorFlow.js Layers import (import_tfjs_files): a model.json
// and its weight shards as uploaded files (records, see fuzz_input.h). A
// model that imports must run a forward pass when small enough, and export
// back to TF.js or fail with an Error.
#include <cstdint>
#include <vector>

#include "engine/core/error.h"
#include "engine/io/tfjs_export.h"
#include "engine/io/tfjs_import.h"
#include "fuzz_input.h"

using namespace distillery;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::vector<FileEntry> files = fuzz::split_records(data, size, 8);
  Model model;
  try {
    model = import_tfjs_files(files);
  } catch (const Error&) {
    return 0;
  }
  if (model.input_shape().size() <= 4096 && model.flops_per_sample() <= (int64_t(1) << 22)) {
    const Tensor input(model.input_shape().with_batch(1), 0.25f);
    if (model.forward(input, false).size() != model.num_outputs()) __builtin_trap();
  }
  try {
    export_tfjs_model(model);
  } catch (const Error&) {
  }
  return 0;
}
