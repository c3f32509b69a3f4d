#pragma once
// How close a quantized model's logits are to the float model's, for the
// quantization tests.
#include <algorithm>
#include <cmath>

#include "engine/core/tensor.h"
#include "engine/metrics/metrics.h"

namespace distillery {

// Largest |a - b| over the largest |b|: the error relative to the logits' scale.
inline double relative_error(const Tensor& a, const Tensor& b) {
  double diff = 0, scale = 0;
  for (int64_t i = 0; i < a.size(); ++i) {
    diff = std::max(diff, double(std::fabs(a[i] - b[i])));
    scale = std::max(scale, double(std::fabs(b[i])));
  }
  return diff / scale;
}

// The share of rows whose top class is the same.
inline double agreement(const Tensor& a, const Tensor& b) {
  const auto pa = predicted_classes(a), pb = predicted_classes(b);
  int same = 0;
  for (size_t i = 0; i < pa.size(); ++i) same += pa[i] == pb[i];
  return double(same) / double(pa.size());
}

}  // namespace distillery
