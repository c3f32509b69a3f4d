#pragma once
// Quantized models in the model file (version 2, docs/MODEL_FORMAT.md): the
// float document of reference() with typed weight tensors (int8 kernels with
// per-channel scales, int32 biases, float16) and a "quantization" section
// holding the mode, the calibration and the activation ranges.
//
//   std::string text = save_quantized_model_json(q, {WeightsEncoding::kBase64, 2});
//   QuantizedModel again = load_quantized_model_json(text);  // the same bytes when saved again
#include <string>

#include "engine/io/model_json.h"
#include "engine/quant/quantized_model.h"

namespace distillery {

std::string save_quantized_model_json(const QuantizedModel& model, const ModelJsonOptions& options = {});

// Throws Error (naming the layer and field) for a file that is no valid
// quantized model: not quantized at all, a scale of 0 or NaN, an int8 table of
// the wrong length, activation ranges that do not match the layers.
QuantizedModel load_quantized_model_json(const std::string& text);

// True when the text is a model file with a "quantization" section (checks nothing else).
bool is_quantized_model_json(const std::string& text);

}  // namespace distillery
