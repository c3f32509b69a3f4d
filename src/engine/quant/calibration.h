#pragma once
// Calibration: the range of every activation of a float model (a chain or a
// graph) over a few hundred preprocessed inputs, as the int8 forward will use them.
#include <vector>

#include "engine/model/model.h"
#include "engine/quant/quant_math.h"
#include "engine/quant/quant_mode.h"

namespace distillery {

// Returns num_layers() + 1 ranges: the input's, then each layer's output.
// Layers that do not change the int8 bytes' meaning (max pooling, flatten,
// dropout, an unfused ReLU) take their input's range; a Dense or Conv2D whose
// only reader is a ReLU takes the ReLU's (the ReLU is fused into it).
// Throws Error when inputs is not [N >= 1, ...model.input_shape()].
std::vector<ActivationQuant> calibrate_activations(Model& model, const Tensor& inputs, const QuantizeOptions& options);

// True for the ReLUs the int8 forward fuses into the Dense or Conv2D they read:
// those that are the only reader of that layer's output.
bool relu_fuses_into_previous(const Model& model, int layer);
// The ReLU fused into layer `layer`, or -1.
int fused_relu_of(const Model& model, int layer);
// True for the layers whose int8 output is their input's bytes, reordered or clamped.
bool keeps_input_range(const Model& model, int layer);

}  // namespace distillery
