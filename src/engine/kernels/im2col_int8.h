#pragma once
// im2col for int8 NHWC images (the layout of kernels/im2col.h), for the
// integer convolution. Padding taps hold `pad` — the input's zero point, the
// quantized value of 0.0 — so that padding means zero as in float.
#include <cstdint>

#include "engine/kernels/im2col.h"

namespace distillery {

// columns: [count * positions, patch_size], row stride patch_size.
void im2col_int8(const int8_t* images, int count, const WindowGeometry& g, int8_t pad, int8_t* columns);

}  // namespace distillery
