#pragma once
// Folding inference-mode BatchNorm into the Dense or Conv2D it reads, when
// that BatchNorm is the only reader of the kernel's output:
//   y = (x W + b - mean) * g + beta,  g = gamma / sqrt(variance + epsilon)
//     = x (W g) + ((b - mean) g + beta)
// so the quantized model has one layer (one int8 kernel, one requantization)
// where the float one had two. A BatchNorm after anything else stays.
// In a graph model the layers that read the BatchNorm read the kernel instead.
// Masks survive: a pruned zero of W times g is still zero, and its mask is copied.
#include "engine/model/model.h"

namespace distillery {

// A copy of `model` with every foldable BatchNorm folded (metadata kept).
Model fold_batch_norms(const Model& model);

}  // namespace distillery
