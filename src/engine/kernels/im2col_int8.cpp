#include "engine/kernels/im2col_int8.h"

namespace distillery {

void im2col_int8(const int8_t* images, int count, const WindowGeometry& g, int8_t pad, int row_stride,
                 int8_t* columns) {
  const int c = g.channels;
  const int extra = row_stride - int(g.patch_size());
  int8_t* out = columns;
  for (int n = 0; n < count; ++n) {
    const int8_t* image = images + int64_t(n) * g.image_size();
    for (int oy = 0; oy < g.out_h; ++oy) {
      for (int ox = 0; ox < g.out_w; ++ox) {
        const int x0 = ox * g.stride_w - g.pad_left;
        const bool row_inside = x0 >= 0 && x0 + g.window_w <= g.in_w;
        const int run = g.window_w * c;  // one kernel row of taps: contiguous pixels in the image
        for (int ky = 0; ky < g.window_h; ++ky) {
          const int y = oy * g.stride_h - g.pad_top + ky;
          // Plain loops, not memcpy: a run is a few bytes (3 for a 3x3 on gray), less than a call costs.
          if (y >= 0 && y < g.in_h && row_inside) {
            const int8_t* pixels = image + (int64_t(y) * g.in_w + x0) * c;
            for (int i = 0; i < run; ++i) out[i] = pixels[i];
            out += run;
            continue;
          }
          for (int kx = 0; kx < g.window_w; ++kx, out += c) {
            const int x = x0 + kx;
            if (y < 0 || y >= g.in_h || x < 0 || x >= g.in_w) {
              for (int ch = 0; ch < c; ++ch) out[ch] = pad;
            } else {
              const int8_t* pixel = image + (int64_t(y) * g.in_w + x) * c;
              for (int ch = 0; ch < c; ++ch) out[ch] = pixel[ch];
            }
          }
        }
        for (int e = 0; e < extra; ++e) *out++ = 0;
      }
    }
  }
}

}  // namespace distillery
