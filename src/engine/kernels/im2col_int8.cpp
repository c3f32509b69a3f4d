#include "engine/kernels/im2col_int8.h"

#include <cstring>

namespace distillery {

void im2col_int8(const int8_t* images, int count, const WindowGeometry& g, int8_t pad, int8_t* columns) {
  const int c = g.channels;
  int8_t* out = columns;
  for (int n = 0; n < count; ++n) {
    const int8_t* image = images + int64_t(n) * g.image_size();
    for (int oy = 0; oy < g.out_h; ++oy) {
      for (int ox = 0; ox < g.out_w; ++ox) {
        for (int ky = 0; ky < g.window_h; ++ky) {
          const int y = oy * g.stride_h - g.pad_top + ky;
          for (int kx = 0; kx < g.window_w; ++kx, out += c) {
            const int x = ox * g.stride_w - g.pad_left + kx;
            if (y < 0 || y >= g.in_h || x < 0 || x >= g.in_w)
              std::memset(out, static_cast<unsigned char>(pad), size_t(c));
            else
              std::memcpy(out, image + (int64_t(y) * g.in_w + x) * c, size_t(c));
          }
        }
      }
    }
  }
}

}  // namespace distillery
