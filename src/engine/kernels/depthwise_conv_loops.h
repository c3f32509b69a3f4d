#pragma once
// The loops of the depthwise convolution (depthwise_conv.h) for one sample,
// written once over a channel-vector primitive `Ops::madd(acc, a, b, n)`
// (acc[c] += a[c] * b[c]): depthwise_conv.cpp instantiates them with a plain
// loop the native compiler vectorises, depthwise_conv_wasm_simd.cpp with f32x4.
// Only the kernels' .cpp files include this (and bench/dwconv_scalar.cpp, for its
// unvectorised baseline).
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

// Channels per register block: the accumulators of one output pixel's block stay
// in registers over all its taps (16 floats: two AVX or four f32x4 registers),
// instead of a load and a store of the output per tap.
constexpr int kBlock = 16;

template <typename Ops>
void forward_sample(const float* image, const WindowGeometry& g, const float* kernel, const float* bias, float* out) {
  const int c = g.channels;
  const int blocked = c - c % kBlock;
  for (int oy = 0; oy < g.out_h; ++oy)
    for (int ox = 0; ox < g.out_w; ++ox) {
      const Taps t = taps_of(g, oy, ox);
      float* o = out + (int64_t(oy) * g.out_w + ox) * c;
      for (int c0 = 0; c0 < blocked; c0 += kBlock) {
        float acc[kBlock];
        for (int i = 0; i < kBlock; ++i) acc[i] = bias ? bias[c0 + i] : 0.0f;
        for (int ky = t.y0; ky < t.y1; ++ky)
          for (int kx = t.x0; kx < t.x1; ++kx)
            Ops::madd(acc, image + ((t.iy0 + ky) * g.in_w + t.ix0 + kx) * c + c0,
                      kernel + (int64_t(ky) * g.window_w + kx) * c + c0, kBlock);
        for (int i = 0; i < kBlock; ++i) o[c0 + i] = acc[i];
      }
      if (blocked == c) continue;
      // The last c % kBlock channels, accumulated in place.
      for (int ch = blocked; ch < c; ++ch) o[ch] = bias ? bias[ch] : 0.0f;
      for (int ky = t.y0; ky < t.y1; ++ky)
        for (int kx = t.x0; kx < t.x1; ++kx)
          Ops::madd(o + blocked, image + ((t.iy0 + ky) * g.in_w + t.ix0 + kx) * c + blocked,
                    kernel + (int64_t(ky) * g.window_w + kx) * c + blocked, c - blocked);
    }
}

// `visit(x, dy)` for the input pixel under tap (ky, kx) and the output gradient
// of every output pixel whose window has that tap inside the image.
template <typename Visit>
inline void for_each_pixel_of_tap(const WindowGeometry& g, int ky, int kx, Visit&& visit) {
  const int64_t c = g.channels;
  for (int oy = 0; oy < g.out_h; ++oy) {
    const int64_t iy = int64_t(oy) * g.stride_h - g.pad_top + ky;
    if (iy < 0 || iy >= g.in_h) continue;
    for (int ox = 0; ox < g.out_w; ++ox) {
      const int64_t ix = int64_t(ox) * g.stride_w - g.pad_left + kx;
      if (ix >= 0 && ix < g.in_w) visit((iy * g.in_w + ix) * c, (int64_t(oy) * g.out_w + ox) * c);
    }
  }
}

// Tap by tap: a block of the tap's gradient is summed in registers over all the
// tap's pixels, then added once; the last c % kBlock channels add in place.
template <typename Ops>
void kernel_gradient_sample(const float* image, const float* grad_out, const WindowGeometry& g, float* kernel_grad) {
  const int c = g.channels;
  const int blocked = c - c % kBlock;
  for (int ky = 0; ky < g.window_h; ++ky)
    for (int kx = 0; kx < g.window_w; ++kx) {
      float* kg = kernel_grad + (int64_t(ky) * g.window_w + kx) * c;
      for (int c0 = 0; c0 < blocked; c0 += kBlock) {
        float acc[kBlock] = {};
        for_each_pixel_of_tap(g, ky, kx, [&](int64_t x, int64_t dy) {
          Ops::madd(acc, image + x + c0, grad_out + dy + c0, kBlock);
        });
        for (int i = 0; i < kBlock; ++i) kg[c0 + i] += acc[i];
      }
      if (blocked == c) continue;
      for_each_pixel_of_tap(g, ky, kx, [&](int64_t x, int64_t dy) {
        Ops::madd(kg + blocked, image + x + blocked, grad_out + dy + blocked, c - blocked);
      });
    }
}

// `visit(tap_offset, out_offset)` for every tap and output pixel whose window
// puts that tap on input pixel (iy, ix): the transpose of the forward's windows.
template <typename Visit>
inline void for_each_use_of_pixel(const WindowGeometry& g, int iy, int ix, Visit&& visit) {
  const int64_t c = g.channels;
  for (int ky = 0; ky < g.window_h; ++ky) {
    const int64_t ny = int64_t(iy) + g.pad_top - ky;  // oy * stride_h
    if (ny < 0 || ny % g.stride_h != 0 || ny / g.stride_h >= g.out_h) continue;
    for (int kx = 0; kx < g.window_w; ++kx) {
      const int64_t nx = int64_t(ix) + g.pad_left - kx;
      if (nx < 0 || nx % g.stride_w != 0 || nx / g.stride_w >= g.out_w) continue;
      visit((int64_t(ky) * g.window_w + kx) * c, ((ny / g.stride_h) * g.out_w + nx / g.stride_w) * c);
    }
  }
}

// Gathered per input pixel (not scattered per output pixel), so each block of
// its gradient is summed in registers and written once: grad_image is overwritten.
template <typename Ops>
void input_gradient_sample(const float* grad_out, const WindowGeometry& g, const float* kernel, float* grad_image) {
  const int c = g.channels;
  const int blocked = c - c % kBlock;
  for (int iy = 0; iy < g.in_h; ++iy)
    for (int ix = 0; ix < g.in_w; ++ix) {
      float* dx = grad_image + (int64_t(iy) * g.in_w + ix) * c;
      for (int c0 = 0; c0 < blocked; c0 += kBlock) {
        float acc[kBlock] = {};
        for_each_use_of_pixel(g, iy, ix, [&](int64_t tap, int64_t o) {
          Ops::madd(acc, grad_out + o + c0, kernel + tap + c0, kBlock);
        });
        for (int i = 0; i < kBlock; ++i) dx[c0 + i] = acc[i];
      }
      if (blocked == c) continue;
      for (int ch = blocked; ch < c; ++ch) dx[ch] = 0.0f;
      for_each_use_of_pixel(g, iy, ix, [&](int64_t tap, int64_t o) {
        Ops::madd(dx + blocked, grad_out + o + blocked, kernel + tap + blocked, c - blocked);
      });
    }
}

}  // namespace depthwise_loops
}  // namespace distillery
