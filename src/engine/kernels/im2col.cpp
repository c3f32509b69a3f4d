#include "engine/kernels/im2col.h"

#include <algorithm>
#include <cassert>
#include <cstring>

#include "engine/kernels/thread_pool.h"

namespace distillery {
namespace {

// Output size and padding before, for one axis.
void axis_geometry(int in, int window, int stride, bool same_padding, int& out, int& pad_before) {
  assert(in > 0 && window > 0 && stride > 0);
  if (same_padding) {
    out = (in + stride - 1) / stride;
    const int pad_total = std::max((out - 1) * stride + window - in, 0);
    pad_before = pad_total / 2;
  } else {
    out = in < window ? 0 : (in - window) / stride + 1;
    pad_before = 0;
  }
}

// Images per parallel task: a 28x28 image with a 3x3 kernel is ~6,000 floats of
// columns, a few microseconds, so a task takes several.
constexpr int64_t kImagesPerTask = 4;

}  // namespace

WindowGeometry window_geometry(int in_h, int in_w, int channels, int window_h, int window_w, int stride_h,
                               int stride_w, bool same_padding) {
  WindowGeometry g;
  g.in_h = in_h;
  g.in_w = in_w;
  g.channels = channels;
  g.window_h = window_h;
  g.window_w = window_w;
  g.stride_h = stride_h;
  g.stride_w = stride_w;
  axis_geometry(in_h, window_h, stride_h, same_padding, g.out_h, g.pad_top);
  axis_geometry(in_w, window_w, stride_w, same_padding, g.out_w, g.pad_left);
  return g;
}

WindowGeometry window_geometry_padded(int in_h, int in_w, int channels, int window_h, int window_w, int stride_h,
                                      int stride_w, int pad_top, int pad_bottom, int pad_left, int pad_right) {
  WindowGeometry g = window_geometry(in_h + pad_top + pad_bottom, in_w + pad_left + pad_right, channels, window_h,
                                     window_w, stride_h, stride_w, false);
  g.in_h = in_h;
  g.in_w = in_w;
  g.pad_top = pad_top;
  g.pad_left = pad_left;
  return g;
}

namespace {

void im2col_serial(const float* images, int count, const WindowGeometry& g, float* columns) {
  const int c = g.channels;
  const size_t tap_bytes = sizeof(float) * static_cast<size_t>(c);
  const int64_t image_size = g.image_size();
  float* row = columns;
  for (int n = 0; n < count; ++n) {
    const float* image = images + n * image_size;
    for (int oy = 0; oy < g.out_h; ++oy) {
      for (int ox = 0; ox < g.out_w; ++ox, row += g.patch_size()) {
        const int y0 = oy * g.stride_h - g.pad_top;
        const int x0 = ox * g.stride_w - g.pad_left;
        float* tap = row;
        for (int ky = 0; ky < g.window_h; ++ky) {
          const int y = y0 + ky;
          if (y < 0 || y >= g.in_h) {
            std::memset(tap, 0, tap_bytes * g.window_w);
            tap += static_cast<int64_t>(c) * g.window_w;
            continue;
          }
          for (int kx = 0; kx < g.window_w; ++kx, tap += c) {
            const int x = x0 + kx;
            if (x < 0 || x >= g.in_w)
              std::memset(tap, 0, tap_bytes);
            else
              std::memcpy(tap, image + (static_cast<int64_t>(y) * g.in_w + x) * c, tap_bytes);
          }
        }
      }
    }
  }
}

void col2im_serial(const float* columns, int count, const WindowGeometry& g, float* images) {
  const int c = g.channels;
  const int64_t image_size = g.image_size();
  const float* row = columns;
  for (int n = 0; n < count; ++n) {
    float* image = images + n * image_size;
    for (int oy = 0; oy < g.out_h; ++oy) {
      for (int ox = 0; ox < g.out_w; ++ox, row += g.patch_size()) {
        const int y0 = oy * g.stride_h - g.pad_top;
        const int x0 = ox * g.stride_w - g.pad_left;
        const float* tap = row;
        for (int ky = 0; ky < g.window_h; ++ky) {
          const int y = y0 + ky;
          if (y < 0 || y >= g.in_h) {
            tap += static_cast<int64_t>(c) * g.window_w;
            continue;
          }
          for (int kx = 0; kx < g.window_w; ++kx, tap += c) {
            const int x = x0 + kx;
            if (x < 0 || x >= g.in_w) continue;
            float* pixel = image + (static_cast<int64_t>(y) * g.in_w + x) * c;
            for (int ch = 0; ch < c; ++ch) pixel[ch] += tap[ch];
          }
        }
      }
    }
  }
}

}  // namespace

// Both split over the images: each image owns its rows of columns and its
// pixels, so any number of threads writes the same bits.
void im2col(const float* images, int count, const WindowGeometry& g, float* columns) {
  const int64_t rows_per_image = g.positions() * g.patch_size();
  parallel_for(0, count, kImagesPerTask, [&](int64_t begin, int64_t end) {
    im2col_serial(images + begin * g.image_size(), static_cast<int>(end - begin), g, columns + begin * rows_per_image);
  });
}

void col2im(const float* columns, int count, const WindowGeometry& g, float* images) {
  const int64_t rows_per_image = g.positions() * g.patch_size();
  parallel_for(0, count, kImagesPerTask, [&](int64_t begin, int64_t end) {
    col2im_serial(columns + begin * rows_per_image, static_cast<int>(end - begin), g, images + begin * g.image_size());
  });
}

}  // namespace distillery
