// im2col / col2im: hand-checked column layout, padding zeros, and col2im as the
// adjoint of im2col (<im2col(x), c> == <x, col2im(c)>) on odd geometries.
#include "engine/kernels/im2col.h"

#include <gtest/gtest.h>

#include <vector>

#include "engine/core/rng.h"

namespace distillery {
namespace {

TEST(Im2colTest, GeometryFollowsTensorFlowRules) {
  WindowGeometry same = window_geometry(5, 4, 3, 3, 2, 2, 2, true);
  EXPECT_EQ(same.out_h, 3);  // ceil(5 / 2)
  EXPECT_EQ(same.out_w, 2);  // ceil(4 / 2)
  EXPECT_EQ(same.pad_top, 1);   // (3 - 1) * 2 + 3 - 5 = 2 -> 1 before
  EXPECT_EQ(same.pad_left, 0);  // (2 - 1) * 2 + 2 - 4 = 0
  WindowGeometry odd = window_geometry(4, 4, 1, 3, 3, 2, 2, true);
  EXPECT_EQ(odd.pad_top, 0);  // pad_total 1: the extra goes after
  WindowGeometry valid = window_geometry(7, 2, 1, 3, 3, 2, 2, false);
  EXPECT_EQ(valid.out_h, 3);  // (7 - 3) / 2 + 1
  EXPECT_EQ(valid.out_w, 0);  // window larger than the input
}

TEST(Im2colTest, RowsArePatchesInKernelOrderWithZeroPadding) {
  // 3x3 image with 2 channels (value = 10 * pixel + channel), 2x2 window, stride
  // 1, "same": pad_total = 1, all after, so out is 3x3 and the last row/column
  // of windows reaches into the padding.
  WindowGeometry g = window_geometry(3, 3, 2, 2, 2, 1, 1, true);
  std::vector<float> image(18);
  for (int p = 0; p < 9; ++p)
    for (int c = 0; c < 2; ++c) image[p * 2 + c] = 10.0f * p + c;
  std::vector<float> columns(static_cast<size_t>(g.positions() * g.patch_size()), -1.0f);
  im2col(image.data(), 1, g, columns.data());
  // Output (0, 0): taps (0,0), (0,1), (1,0), (1,1) = pixels 0, 1, 3, 4.
  EXPECT_EQ(std::vector<float>(columns.begin(), columns.begin() + 8), (std::vector<float>{0, 1, 10, 11, 30, 31, 40, 41}));
  // Output (2, 2): only pixel 8 is real.
  const float* last = columns.data() + 8 * g.patch_size();
  EXPECT_EQ(std::vector<float>(last, last + 8), (std::vector<float>{80, 81, 0, 0, 0, 0, 0, 0}));
}

TEST(Im2colTest, Col2imIsTheAdjointOfIm2col) {
  struct Case {
    int h, w, c, kh, kw, sh, sw;
    bool same;
  };
  Rng rng(17);
  for (const Case& k : std::vector<Case>{{5, 7, 3, 3, 3, 1, 1, true},
                                         {7, 5, 2, 3, 2, 2, 3, true},
                                         {6, 6, 1, 2, 2, 2, 2, false},
                                         {3, 3, 4, 5, 5, 1, 1, true},
                                         {9, 4, 2, 4, 1, 3, 1, false}}) {
    const WindowGeometry g = window_geometry(k.h, k.w, k.c, k.kh, k.kw, k.sh, k.sw, k.same);
    const int count = 2;
    std::vector<float> x(static_cast<size_t>(count * g.image_size())), c(static_cast<size_t>(count * g.positions() * g.patch_size()));
    for (float& v : x) v = rng.uniform(-1.0f, 1.0f);
    for (float& v : c) v = rng.uniform(-1.0f, 1.0f);
    std::vector<float> cols(c.size()), back(x.size(), 0.0f);
    im2col(x.data(), count, g, cols.data());
    col2im(c.data(), count, g, back.data());
    double lhs = 0.0, rhs = 0.0;
    for (size_t i = 0; i < c.size(); ++i) lhs += static_cast<double>(cols[i]) * c[i];
    for (size_t i = 0; i < x.size(); ++i) rhs += static_cast<double>(x[i]) * back[i];
    EXPECT_NEAR(lhs, rhs, 1e-4 * (1.0 + std::abs(lhs))) << k.h << "x" << k.w << " kernel " << k.kh << "x" << k.kw;
  }
}

}  // namespace
}  // namespace distillery
