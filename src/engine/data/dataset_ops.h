#pragma once
// Whole-dataset operations: bringing a dataset to a model's input shape and
// taking a subset of its samples.
#include <vector>

#include "engine/core/shape.h"
#include "engine/data/dataset.h"

namespace distillery {

// The dataset resized and colour-converted to target {H, W, C} (C is 1 or 3).
// Throws Error when the target is not an image shape.
Dataset conform_dataset(const Dataset& data, const Shape& target);

// `data` with the images of `unlabeled` appended, labelled Dataset::kUnlabeled
// (a distillation's transfer set: one index space for the whole run). Throws
// Error when the image shapes differ.
Dataset append_unlabeled(const Dataset& data, const Dataset& unlabeled);

// The samples at `indices` (in that order), with the same class names.
Dataset subset(const Dataset& data, const std::vector<int>& indices);

}  // namespace distillery
