#pragma once
// The loops of the depthwise convolution (depthwise_conv.h) for one sample,
// written once over a channel-vector primitive `Ops::madd(acc, a, b, n)`
// (acc[c] += a[c] * b[c]): depthwise_conv.cpp instantiates them with a plain
// loop the native compiler vectorises, depthwise_conv_wasm_simd.cpp with f32x4.
// Only the kernels' .cpp files include this.
#include <algorithm>
#include <cstdint>

#include "engine/kernels/im2col.h"

namespace distillery {
namespace depthwise_loops {

// The window's taps that fall inside the image for output (oy, ox): rows
// [y0, y1) and columns [x0, x1) of the kernel, and the input pixel of tap (0, 0).
struct Taps {
  int y0, y1, x0, x1;
  int64_t iy0, ix0;  // may be negative (padding); only taps inside are read
};

inline Taps taps_of(const WindowGeometry& g, int oy, int ox) {
  Taps t;
  t.iy0 = int64_t(oy) * g.stride_h - g.pad_top;
  t.ix0 = int64_t(ox) * g.stride_w - g.pad_left;
  t.y0 = int(std::max<int64_t>(0, -t.iy0));
  t.y1 = int(std::min<int64_t>(g.window_h, g.in_h - t.iy0));
  t.x0 = int(std::max<int64_t>(0, -t.ix0));
  t.x1 = int(std::min<int64_t>(g.window_w, g.in_w - t.ix0));
  return t;
}

// `visit(tap_offset, pixel_offset, out_offset)` for every (output pixel, tap
// inside the image) of one sample, in a fixed order; offsets are in floats.
template <typename Visit>
inline void for_each_tap(const WindowGeometry& g, Visit&& visit) {
  const int64_t c = g.channels;
  for (int oy = 0; oy < g.out_h; ++oy)
    for (int ox = 0; ox < g.out_w; ++ox) {
      const Taps t = taps_of(g, oy, ox);
      const int64_t out = (int64_t(oy) * g.out_w + ox) * c;
      for (int ky = t.y0; ky < t.y1; ++ky)
        for (int kx = t.x0; kx < t.x1; ++kx)
          visit((int64_t(ky) * g.window_w + kx) * c, ((t.iy0 + ky) * g.in_w + t.ix0 + kx) * c, out);
    }
}

template <typename Ops>
void forward_sample(const float* image, const WindowGeometry& g, const float* kernel, const float* bias, float* out) {
  const int c = g.channels;
  for (int64_t p = 0; p < g.positions(); ++p) {
    if (bias)
      std::copy(bias, bias + c, out + p * c);
    else
      std::fill(out + p * c, out + (p + 1) * c, 0.0f);
  }
  for_each_tap(g, [&](int64_t tap, int64_t pixel, int64_t o) { Ops::madd(out + o, image + pixel, kernel + tap, c); });
}

template <typename Ops>
void kernel_gradient_sample(const float* image, const float* grad_out, const WindowGeometry& g, float* kernel_grad) {
  const int c = g.channels;
  for_each_tap(g, [&](int64_t tap, int64_t pixel, int64_t o) {
    Ops::madd(kernel_grad + tap, image + pixel, grad_out + o, c);
  });
}

// grad_image must be zero: taps accumulate onto it.
template <typename Ops>
void input_gradient_sample(const float* grad_out, const WindowGeometry& g, const float* kernel, float* grad_image) {
  const int c = g.channels;
  for_each_tap(g, [&](int64_t tap, int64_t pixel, int64_t o) {
    Ops::madd(grad_image + pixel, grad_out + o, kernel + tap, c);
  });
}

}  // namespace depthwise_loops
}  // namespace distillery
