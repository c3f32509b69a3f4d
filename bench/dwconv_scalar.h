#pragma once
// A scalar depthwise forward, the baseline of dwconv_bench (see dwconv_scalar.cpp).
#include "engine/kernels/im2col.h"

namespace distillery::bench {

void depthwise_forward_scalar(const float* images, int count, const WindowGeometry& g, const float* kernel,
                              const float* bias, float* out);

}  // namespace distillery::bench
