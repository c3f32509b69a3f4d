// Fuzz target: ONNX import (import_onnx_model) on arbitrary protobuf bytes.
// A model that imports must run a forward pass when small enough, and export
// back to ONNX and import again, or fail with an Error.
#include <cstdint>
#include <vector>

#include "engine/core/error.h"
#include "engine/io/onnx_export.h"
#include "engine/io/onnx_import.h"
#include "fuzz_input.h"

using namespace distillery;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::vector<uint8_t> bytes(data, data + size);
  Model model;
  try {
    model = import_onnx_model(bytes);
  } catch (const Error&) {
    return 0;
  }
  fuzz::check_small_model_runs(model);
  try {
    const Model again = import_onnx_model(export_onnx_model(model));
    if (again.num_outputs() != model.num_outputs()) __builtin_trap();
  } catch (const Error&) {
  }
  return 0;
}
