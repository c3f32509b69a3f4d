// The int8 GEMM against a plain int64 triple loop on odd shapes that cut the
// 2x4 tile and the 8-value SIMD step, with row strides wider than the rows,
// and both epilogues against their formulas. The same file runs natively
// (portable micro-kernel) and in the WebAssembly test runs (i32x4.dot_i16x8_s).
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "engine/core/rng.h"
#include "engine/kernels/gemm_int8.h"
#include "engine/kernels/im2col_int8.h"

namespace distillery {
namespace {

std::vector<int8_t> random_int8(size_t n, Rng& rng) {
  std::vector<int8_t> v(n);
  for (auto& x : v) x = int8_t(int(rng.below(256)) - 128);
  return v;
}

struct Shapes {
  int m, n, k;
};

const Shapes kShapes[] = {{1, 1, 1},   {1, 3, 17},  {3, 1, 63},   {2, 4, 8},    {3, 5, 7},   {17, 17, 17},
                          {63, 65, 9}, {65, 63, 65}, {1, 10, 784}, {64, 10, 400}, {5, 33, 127}, {4, 8, 16}};

int64_t reference_dot(const std::vector<int8_t>& a, int lda, const std::vector<int8_t>& w, int ldw, int i, int j, int k) {
  int64_t s = 0;
  for (int p = 0; p < k; ++p) s += int64_t(a[size_t(i) * lda + p]) * int64_t(w[size_t(j) * ldw + p]);
  return s;
}

TEST(GemmInt8, RawSumsMatchTheReferenceOnOddShapes) {
  Rng rng(7);
  for (const Shapes& s : kShapes) {
    const int lda = s.k + 3, ldw = s.k + 5, ldc = s.n + 2;
    const auto a = random_int8(size_t(s.m) * lda, rng);
    const auto w = random_int8(size_t(s.n) * ldw, rng);
    std::vector<int32_t> c(size_t(s.m) * ldc, -7);
    gemm_s8_s32(s.m, s.n, s.k, a.data(), lda, w.data(), ldw, c.data(), ldc);
    for (int i = 0; i < s.m; ++i) {
      for (int j = 0; j < s.n; ++j)
        ASSERT_EQ(c[size_t(i) * ldc + j], reference_dot(a, lda, w, ldw, i, j, s.k))
            << "m=" << s.m << " n=" << s.n << " k=" << s.k << " at " << i << "," << j;
      for (int j = s.n; j < ldc; ++j) ASSERT_EQ(c[size_t(i) * ldc + j], -7) << "wrote past the row";
    }
  }
}

TEST(GemmInt8, ExtremeValuesDoNotOverflow) {
  // -128 * -128 everywhere: the widest int16 products, summed over k = 1023.
  const int m = 3, n = 5, k = 1023;
  std::vector<int8_t> a(size_t(m) * k, -128), w(size_t(n) * k, -128);
  std::vector<int32_t> c(size_t(m) * n);
  gemm_s8_s32(m, n, k, a.data(), k, w.data(), k, c.data(), n);
  for (int32_t v : c) EXPECT_EQ(v, 16384 * k);
}

TEST(GemmInt8, RequantizeRoundsClampsAndFusesRelu) {
  Rng rng(11);
  for (const Shapes& s : kShapes) {
    const auto a = random_int8(size_t(s.m) * s.k, rng);
    const auto w = random_int8(size_t(s.n) * s.k, rng);
    std::vector<int32_t> bias(size_t(s.n));
    std::vector<float> multiplier(size_t(s.n));
    for (int j = 0; j < s.n; ++j) {
      bias[size_t(j)] = int32_t(rng.below(20001)) - 10000;
      multiplier[size_t(j)] = rng.uniform(1e-4f, 2e-2f);
    }
    for (bool relu : {false, true}) {
      Int8Epilogue e;
      e.bias = bias.data();
      e.multiplier = multiplier.data();
      e.output_zero_point = -5;
      e.lo = relu ? -5 : -128;
      std::vector<int8_t> c(size_t(s.m) * s.n);
      std::vector<float> f(size_t(s.m) * s.n);
      gemm_s8_requantize(s.m, s.n, s.k, a.data(), s.k, w.data(), s.k, e, c.data(), s.n);
      gemm_s8_dequantize(s.m, s.n, s.k, a.data(), s.k, w.data(), s.k, e, f.data(), s.n);
      for (int i = 0; i < s.m; ++i)
        for (int j = 0; j < s.n; ++j) {
          const int64_t acc = reference_dot(a, s.k, w, s.k, i, j, s.k) + bias[size_t(j)];
          const float scaled = float(acc) * multiplier[size_t(j)];
          const long want = std::clamp<long>(std::lrint(scaled) - 5, relu ? -5 : -128, 127);  // half to even
          ASSERT_EQ(c[size_t(i) * s.n + j], want) << "m=" << s.m << " n=" << s.n << " k=" << s.k;
          ASSERT_EQ(f[size_t(i) * s.n + j], scaled);
        }
    }
  }
}

TEST(GemmInt8, QuantizeToInt8RoundsHalfToEvenAndClamps) {
  // Odd lengths cut the SIMD step of 4; ties and values past the int8 range are in every block.
  for (int n : {1, 3, 4, 7, 17, 63}) {
    std::vector<float> x(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i)
      x[size_t(i)] = float(i % 9) * 0.25f - 1.0f + (i % 5 == 0 ? 300.0f : 0.0f) - (i % 7 == 0 ? 600.0f : 0.0f);
    std::vector<int8_t> q(static_cast<size_t>(n));
    quantize_to_int8(x.data(), n, 2.0f, -3.0f, q.data());  // x * 2 - 3: ties at x = k/4
    for (int i = 0; i < n; ++i) {
      const long want = std::clamp<long>(std::lrint(x[size_t(i)] * 2.0f) - 3, -128, 127);
      ASSERT_EQ(q[size_t(i)], want) << "n=" << n << " i=" << i << " x=" << x[size_t(i)];
    }
  }
}

TEST(Im2colInt8, PadsWithTheZeroPoint) {
  // A 3x3 "same" window over a 2x2 one-channel image: the corners of every patch are padding.
  const WindowGeometry g = window_geometry(2, 2, 1, 3, 3, 1, 1, true);
  const int8_t image[4] = {1, 2, 3, 4};
  const int stride = 16;  // rows padded to the SIMD step
  std::vector<int8_t> columns(size_t(g.positions() * stride), 55);
  im2col_int8(image, 1, g, int8_t(-9), stride, columns.data());
  const std::vector<int8_t> first_row(columns.begin(), columns.begin() + stride);
  EXPECT_EQ(first_row, (std::vector<int8_t>{-9, -9, -9, -9, 1, 2, -9, 3, 4, 0, 0, 0, 0, 0, 0, 0}));
  const std::vector<int8_t> last_row(columns.end() - stride, columns.end());
  EXPECT_EQ(last_row, (std::vector<int8_t>{1, 2, -9, 3, 4, -9, -9, -9, -9, 0, 0, 0, 0, 0, 0, 0}));
}

TEST(Im2colInt8, MatchesTheFloatIm2colOnEveryGeometry) {
  Rng rng(13);
  for (bool same : {false, true})
    for (int stride : {1, 2})
      for (int channels : {1, 3, 8}) {
        const WindowGeometry g = window_geometry(7, 6, channels, 3, 2, stride, stride, same);
        const int count = 2;
        std::vector<int8_t> images = random_int8(size_t(count * g.image_size()), rng);
        std::vector<float> float_images(images.begin(), images.end());
        std::vector<float> want(size_t(count * g.positions() * g.patch_size()));
        im2col(float_images.data(), count, g, want.data());
        const int row = int(g.patch_size()) + 3;
        std::vector<int8_t> got(size_t(count * g.positions() * row), 99);
        im2col_int8(images.data(), count, g, 0, row, got.data());
        for (int64_t r = 0; r < count * g.positions(); ++r)
          for (int p = 0; p < row; ++p)
            ASSERT_EQ(got[size_t(r * row + p)], p < g.patch_size() ? int8_t(want[size_t(r * g.patch_size() + p)]) : 0)
                << "same=" << same << " stride=" << stride << " channels=" << channels << " row " << r << " tap " << p;
      }
}

TEST(GemmInt8, KernelNameSaysWhichBuild) {
#ifdef __wasm_simd128__
  EXPECT_STREQ(gemm_int8_kernel_name(), "wasm-simd-dot");
#else
  EXPECT_STREQ(gemm_int8_kernel_name(), "portable");
#endif
}

}  // namespace
}  // namespace distillery
