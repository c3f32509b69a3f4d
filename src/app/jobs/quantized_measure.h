#pragma once
// What the Quantize and Evaluate jobs measure of a quantized model, in one
// place: its copy for a job, its evaluation against the float model it came
// from, its file sizes, and the JS API's view of them.
#include <vector>

#include <nlohmann/json.hpp>

#include "app/session.h"

namespace distillery {

// A copy to run on another thread (QuantizedModel is move-only; the copy
// plans its int8 ops again from the same parts, so it computes the same).
QuantizedModel clone_quantized(const QuantizedModel& model);

// The quantized model on `test` (its forward: integer kernels in the int8
// mode), against `float_model`, whose speed is measured in the same run.
QuantizedEval evaluate_quantized(QuantizedModel& model, Model& float_model, const Dataset& data,
                                 const std::vector<int>& test);

// The session's entry for a quantized model of `source`, with its file sizes
// (the Distillery JSON with base64 weights, the float model's in the same encoding).
QuantizedEntry make_quantized_entry(QuantizedModel model, const Model& float_model, ModelRole source);

// {model, mode, calibration_samples, calibration_method, file_bytes, float_file_bytes, weight_bytes,
//  float32_weight_bytes}, plus with an evaluation {accuracy, float_accuracy, agreement, kl_to_float,
//  ms_per_sample, float_ms_per_sample, speedup, samples}.
nlohmann::json quantized_json(const QuantizedEntry& entry, const QuantizedEval* eval);

}  // namespace distillery
