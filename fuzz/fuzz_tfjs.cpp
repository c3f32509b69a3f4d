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
  fuzz::check_small_model_runs(model);
  try {
    export_tfjs_model(model);
  } catch (const Error&) {
  }
  return 0;
}
