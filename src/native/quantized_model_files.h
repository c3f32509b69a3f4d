#pragma once
// Quantized model files for the native front ends (engine/quant/quantized_json.h).
// Errors read "FILE: problem".
#include <string>

#include "engine/quant/quantized_json.h"

namespace distillery {

// True when PATH holds a model file with a "quantization" section. Throws
// Error "PATH: problem" when it cannot be read.
bool model_file_is_quantized(const std::string& path);
QuantizedModel load_quantized_model_file(const std::string& path);

// A model file of either kind, for eval and predict. A quantized file runs on
// its own forward (integer kernels for int8); `model` is then the float model
// it stands for: shapes, classes, preprocessing.
struct AnyModelFile {
  Model model;
  bool quantized = false;
  QuantizedModel quantized_model;  // when `quantized`

  // Logits from the file's own forward: the quantized model's when it is one.
  const Tensor& forward(const Tensor& input) {
    return quantized ? quantized_model.forward(input) : model.forward(input, /*training=*/false);
  }
  Tensor predict_logits(const Tensor& input) {
    return quantized ? quantized_model.predict_logits(input) : model.predict_logits(input);
  }
};
AnyModelFile load_any_model_file(const std::string& path);

// Written through a temporary file renamed into place, as save_model_file does.
void save_quantized_model_file(const std::string& path, const QuantizedModel& model,
                               const ModelJsonOptions& options = {});

}  // namespace distillery
