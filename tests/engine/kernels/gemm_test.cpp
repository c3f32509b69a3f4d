// gemm and gemm_blocked against a plain triple loop in double precision, on
// odd shapes that cut every block and micro-tile edge, for all transposes,
// alpha/beta variants and leading dimensions wider than the matrices. The
// same file runs natively (Eigen + the portable micro-kernel) and in the
// WebAssembly test run (the SIMD micro-kernel).
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "engine/core/rng.h"
#include "engine/core/settings.h"
#include "engine/kernels/gemm.h"
#include "engine/kernels/gemm_blocked.h"

namespace distillery {
namespace {

using GemmFn = std::function<void(bool, bool, int, int, int, float, const float*, int, const float*, int, float,
                                  float*, int)>;

struct Case {
  bool ta, tb;
  int m, n, k;
  float alpha, beta;
  int pad;  // extra elements per stored row (leading dimension - width)
};

std::string describe(const Case& c) {
  return std::string(c.ta ? "T" : "N") + (c.tb ? "T" : "N") + " m=" + std::to_string(c.m) +
         " n=" + std::to_string(c.n) + " k=" + std::to_string(c.k) + " alpha=" + std::to_string(c.alpha) +
         " beta=" + std::to_string(c.beta) + " pad=" + std::to_string(c.pad);
}

// Runs one case through fn and checks every element of C, and that the
// padding of C (past each row's width) was left alone.
void check_case(const Case& c, const GemmFn& fn, uint64_t seed) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float sentinel = 12345.0f;
  // Stored shapes: A is [m, k] or [k, m]; B is [k, n] or [n, k].
  const int a_rows = c.ta ? c.k : c.m, a_cols = c.ta ? c.m : c.k;
  const int b_rows = c.tb ? c.n : c.k, b_cols = c.tb ? c.k : c.n;
  const int lda = a_cols + c.pad, ldb = b_cols + c.pad, ldc = c.n + c.pad;
  Rng rng(seed);
  // Padding of A and B holds NaN: reading it would poison the result.
  std::vector<float> a(static_cast<size_t>(a_rows) * lda + 1, nan), b(static_cast<size_t>(b_rows) * ldb + 1, nan);
  for (int i = 0; i < a_rows; ++i)
    for (int j = 0; j < a_cols; ++j) a[static_cast<size_t>(i) * lda + j] = rng.uniform(-1.0f, 1.0f);
  for (int i = 0; i < b_rows; ++i)
    for (int j = 0; j < b_cols; ++j) b[static_cast<size_t>(i) * ldb + j] = rng.uniform(-1.0f, 1.0f);
  std::vector<float> out(static_cast<size_t>(c.m) * ldc + 1, sentinel);
  for (int i = 0; i < c.m; ++i)
    for (int j = 0; j < c.n; ++j)
      // beta == 0 must not read C (BLAS rule), so C starts as NaN there.
      out[static_cast<size_t>(i) * ldc + j] = c.beta == 0.0f ? nan : rng.uniform(-1.0f, 1.0f);
  const std::vector<float> before = out;

  fn(c.ta, c.tb, c.m, c.n, c.k, c.alpha, a.data(), lda, b.data(), ldb, c.beta, out.data(), ldc);

  auto at_a = [&](int i, int p) { return c.ta ? a[static_cast<size_t>(p) * lda + i] : a[static_cast<size_t>(i) * lda + p]; };
  auto at_b = [&](int p, int j) { return c.tb ? b[static_cast<size_t>(j) * ldb + p] : b[static_cast<size_t>(p) * ldb + j]; };
  int failures = 0;
  for (int i = 0; i < c.m && failures < 5; ++i) {
    for (int j = 0; j < c.n && failures < 5; ++j) {
      double sum = 0, magnitude = 0;
      for (int p = 0; p < c.k; ++p) {
        sum += static_cast<double>(at_a(i, p)) * at_b(p, j);
        magnitude += std::fabs(static_cast<double>(at_a(i, p)) * at_b(p, j));
      }
      const size_t idx = static_cast<size_t>(i) * ldc + j;
      const double old_c = c.beta == 0.0f ? 0.0 : before[idx];
      const double expected = c.alpha * sum + c.beta * old_c;
      const double tolerance = 1e-5 * (std::fabs(c.alpha) * magnitude + std::fabs(c.beta * old_c)) + 1e-6;
      if (!(std::fabs(out[idx] - expected) <= tolerance)) {
        ADD_FAILURE() << describe(c) << ": C(" << i << "," << j << ") = " << out[idx] << ", expected " << expected;
        ++failures;
      }
    }
  }
  for (int i = 0; i < c.m; ++i)
    for (int j = c.n; j < ldc; ++j)
      ASSERT_EQ(out[static_cast<size_t>(i) * ldc + j], sentinel) << describe(c) << ": wrote into C's padding";
  ASSERT_EQ(out.back(), sentinel) << describe(c) << ": wrote past C";
}

// Every transpose combination and alpha/beta variant over odd sizes.
void check_odd_shapes(const GemmFn& fn) {
  const int sizes[] = {1, 3, 17, 65};
  const float alpha_beta[][2] = {{1.0f, 0.0f}, {1.0f, 1.0f}, {-0.5f, 2.0f}, {2.0f, 0.0f}};
  uint64_t seed = 1;
  for (int t = 0; t < 4; ++t)
    for (int m : sizes)
      for (int n : sizes)
        for (int k : sizes) {
          const float* ab = alpha_beta[seed % 4];
          check_case({t & 1 ? true : false, t & 2 ? true : false, m, n, k, ab[0], ab[1], static_cast<int>(seed % 3) * 3},
                     fn, seed);
          ++seed;
        }
}

// Sizes that cross the cache blocks (k > 256, m > 144, n > 2048) and
// multiples of the micro-tile plus or minus one.
void check_block_edges(const GemmFn& fn) {
  const Case cases[] = {
      {false, false, 63, 129, 300, 1.0f, 0.0f, 0},  {true, false, 129, 63, 513, 1.0f, 1.0f, 2},
      {false, true, 150, 17, 257, 0.5f, 0.25f, 1}, {true, true, 145, 31, 64, 1.0f, 0.0f, 7},
      {false, false, 5, 2050, 9, 1.0f, 0.0f, 3},   {false, true, 290, 40, 33, -1.0f, 1.0f, 0},
      {true, false, 6, 8, 256, 1.0f, 0.0f, 0},     {false, false, 12, 16, 1, 3.0f, -1.0f, 5},
  };
  uint64_t seed = 100;
  for (const Case& c : cases) check_case(c, fn, seed++);
}

TEST(Gemm, BlockedMatchesReferenceOnOddShapes) { check_odd_shapes(gemm_blocked); }
TEST(Gemm, BlockedMatchesReferenceAcrossBlockEdges) { check_block_edges(gemm_blocked); }

// Restores the process-wide settings a test changes, even when it fails.
struct SettingsGuard {
  int threads = thread_count();
  int64_t threshold = gemm_parallel_threshold();
  ~SettingsGuard() {
    set_thread_count(threads);
    set_gemm_parallel_threshold(threshold);
  }
};

TEST(Gemm, DispatchMatchesReferenceOnOneThread) {
  SettingsGuard guard;
  set_thread_count(1);
  check_odd_shapes(gemm);
  check_block_edges(gemm);
}

TEST(Gemm, SplitOverThreadsMatchesReference) {
  SettingsGuard guard;
  set_gemm_parallel_threshold(0);  // split even the small products
  for (int t : {2, 3}) {
    set_thread_count(t);
    check_odd_shapes(gemm);
    check_block_edges(gemm);
  }
}

TEST(Gemm, ZeroDepthOrAlphaOnlyScalesC) {
  std::vector<float> c = {1, 2, 3, 4};
  const float a = 7, b = 9;
  gemm(false, false, 2, 2, 0, 1.0f, &a, 1, &b, 1, 0.5f, c.data(), 2);
  EXPECT_EQ(c, (std::vector<float>{0.5f, 1, 1.5f, 2}));
  gemm_blocked(false, false, 2, 2, 0, 1.0f, &a, 1, &b, 1, 0.0f, c.data(), 2);
  EXPECT_EQ(c, (std::vector<float>{0, 0, 0, 0}));
  std::vector<float> ones(4, 1.0f);
  c = {1, 2, 3, 4};
  gemm_blocked(false, false, 2, 2, 2, 0.0f, ones.data(), 2, ones.data(), 2, 2.0f, c.data(), 2);
  EXPECT_EQ(c, (std::vector<float>{2, 4, 6, 8}));
}

TEST(Gemm, KernelNameSaysWhichPathRuns) {
#ifdef __wasm_simd128__
  EXPECT_EQ(std::string(gemm_kernel_name()).rfind("wasm-simd128", 0), 0u);
#else
  EXPECT_EQ(std::string(gemm_kernel_name()), "eigen");
#endif
}

}  // namespace
}  // namespace distillery
