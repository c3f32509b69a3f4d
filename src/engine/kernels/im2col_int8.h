#pragma once
// im2col for int8 NHWC images (the layout of kernels/im2col.h), for the
// integer convolution. Padding taps hold `pad` — the input's zero point, the
// quantized value of 0.0 — so that padding means zero as in float.
#include <cstdint>

#include "engine/kernels/im2col.h"

namespace distillery {

// columns: [count * positions, patch_size] with rows row_stride >= patch_size
// apart; the extra columns are zeroed (the GEMM's k is padded to its SIMD step
// with zero weights there).
void im2col_int8(const int8_t* images, int count, const WindowGeometry& g, int8_t pad, int row_stride,
                 int8_t* columns);

}  // namespace distillery
