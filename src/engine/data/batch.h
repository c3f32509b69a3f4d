#pragma once
// Drawing a batch: uint8 pixels of the chosen samples become floats with the
// model's preprocessing, shaped [n, H, W, C].
#include <vector>

#include "engine/core/tensor.h"
#include "engine/data/dataset.h"
#include "engine/data/dataset_ops.h"  // conform_dataset, subset
#include "engine/model/preprocessing.h"

namespace distillery {

void gather_batch(const Dataset& data, const int* indices, int count, const Preprocessing& pre, Tensor& out);
// Labels of the chosen samples.
void gather_labels(const Dataset& data, const int* indices, int count, std::vector<int>& out);

}  // namespace distillery
