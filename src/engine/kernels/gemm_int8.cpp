// The int8 GEMM driver: tiles of C, the epilogues, and the portable micro-kernel
// (the WebAssembly SIMD one is in gemm_int8_wasm_simd.cpp).
#include "engine/kernels/gemm_int8.h"

#include <algorithm>
#include <cmath>

#include "engine/kernels/gemm_int8_tile.h"

namespace distillery {

#ifndef __wasm_simd128__
// The k loop outermost with the eight sums as reductions of one loop: GCC and
// Clang vectorise it over k (int8 widened to int16, pmaddwd into int32 lanes,
// one vector accumulator per sum), so each loaded slice of A meets four of W.
void int8_dot_tile(int k, const int8_t* const a_rows[kInt8TileRows], const int8_t* const w_rows[kInt8TileCols],
                   int32_t sums[kInt8TileRows][kInt8TileCols]) {
  const int8_t *a0 = a_rows[0], *a1 = a_rows[1];
  const int8_t *w0 = w_rows[0], *w1 = w_rows[1], *w2 = w_rows[2], *w3 = w_rows[3];
  int32_t s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
  for (int p = 0; p < k; ++p) {
    const int16_t x0 = a0[p], x1 = a1[p];
    const int16_t y0 = w0[p], y1 = w1[p], y2 = w2[p], y3 = w3[p];
    s00 += x0 * y0;
    s01 += x0 * y1;
    s02 += x0 * y2;
    s03 += x0 * y3;
    s10 += x1 * y0;
    s11 += x1 * y1;
    s12 += x1 * y2;
    s13 += x1 * y3;
  }
  sums[0][0] = s00, sums[0][1] = s01, sums[0][2] = s02, sums[0][3] = s03;
  sums[1][0] = s10, sums[1][1] = s11, sums[1][2] = s12, sums[1][3] = s13;
}

void int8_dot_row(int k, const int8_t* a, const int8_t* const w_rows[kInt8RowCols], int32_t sums[kInt8RowCols]) {
  int32_t s[kInt8RowCols] = {};
  for (int p = 0; p < k; ++p) {
    const int16_t x = a[p];
    for (int j = 0; j < kInt8RowCols; ++j) s[j] += x * int16_t(w_rows[j][p]);
  }
  for (int j = 0; j < kInt8RowCols; ++j) sums[j] = s[j];
}
#endif

void requantize_run_scalar(const int32_t* sums, int count, const int32_t* bias, const float* multiplier,
                              float output_zero_point, float lo, float hi, int8_t* out) {
  for (int j = 0; j < count; ++j) {
    // Round half to even (nearbyint in the default mode: one f32.nearest / roundss, not
    // a libm call), then clamp while still a float, as XNNPACK's fp32 requantization does.
    const float scaled = std::nearbyint(float(sums[j] + bias[j]) * multiplier[j]) + output_zero_point;
    out[j] = int8_t(std::clamp(scaled, lo, hi));
  }
}

void quantize_to_int8_scalar(const float* x, int64_t n, float inverse_scale, float zero_point, int8_t* out) {
  for (int64_t i = 0; i < n; ++i)
    out[i] = int8_t(std::clamp(std::nearbyint(x[i] * inverse_scale) + zero_point, -128.0f, 127.0f));
}

#ifndef __wasm_simd128__
void requantize_run(const int32_t* sums, int count, const int32_t* bias, const float* multiplier,
                    float output_zero_point, float lo, float hi, int8_t* out) {
  requantize_run_scalar(sums, count, bias, multiplier, output_zero_point, lo, hi, out);
}

void quantize_to_int8(const float* x, int64_t n, float inverse_scale, float zero_point, int8_t* out) {
  quantize_to_int8_scalar(x, n, inverse_scale, zero_point, out);
}
#endif

namespace {

// Runs the tiles over C and hands each row of a tile's sums to store(i, j0, sums, count).
// Columns past the edge repeat the last valid one (their sums are dropped),
// so each micro-kernel has one shape; a lone row takes the one-row kernel.
template <typename Store>
void for_each_tile(int m, int n, int k, const int8_t* a, int lda, const int8_t* w, int ldw, Store store) {
  const int8_t* a_rows[kInt8TileRows];
  const int8_t* w_rows[kInt8RowCols];
  int32_t sums[kInt8TileRows][kInt8TileCols];
  int32_t row_sums[kInt8RowCols];
  int i0 = 0;
  for (; i0 + kInt8TileRows <= m; i0 += kInt8TileRows) {
    for (int r = 0; r < kInt8TileRows; ++r) a_rows[r] = a + long(i0 + r) * lda;
    for (int j0 = 0; j0 < n; j0 += kInt8TileCols) {
      const int cols = std::min(kInt8TileCols, n - j0);
      for (int j = 0; j < kInt8TileCols; ++j) w_rows[j] = w + long(j0 + std::min(j, cols - 1)) * ldw;
      int8_dot_tile(k, a_rows, w_rows, sums);
      for (int r = 0; r < kInt8TileRows; ++r) store(i0 + r, j0, sums[r], cols);
    }
  }
  static_assert(kInt8TileRows == 2, "one row at most is left over");
  if (i0 == m) return;
  const int8_t* row = a + long(i0) * lda;
  for (int j0 = 0; j0 < n; j0 += kInt8RowCols) {
    const int cols = std::min(kInt8RowCols, n - j0);
    for (int j = 0; j < kInt8RowCols; ++j) w_rows[j] = w + long(j0 + std::min(j, cols - 1)) * ldw;
    int8_dot_row(k, row, w_rows, row_sums);
    store(i0, j0, row_sums, cols);
  }
}

}  // namespace

void gemm_s8_requantize(int m, int n, int k, const int8_t* a, int lda, const int8_t* w, int ldw,
                        const Int8Epilogue& e, int8_t* c, int ldc) {
  const float zero_point = float(e.output_zero_point), lo = float(e.lo), hi = float(e.hi);
  for_each_tile(m, n, k, a, lda, w, ldw, [&](int i, int j0, const int32_t* sums, int count) {
    requantize_run(sums, count, e.bias + j0, e.multiplier + j0, zero_point, lo, hi, c + long(i) * ldc + j0);
  });
}

void gemm_s8_dequantize(int m, int n, int k, const int8_t* a, int lda, const int8_t* w, int ldw,
                        const Int8Epilogue& e, float* c, int ldc) {
  for_each_tile(m, n, k, a, lda, w, ldw, [&](int i, int j0, const int32_t* sums, int count) {
    for (int j = 0; j < count; ++j) c[long(i) * ldc + j0 + j] = float(sums[j] + e.bias[j0 + j]) * e.multiplier[j0 + j];
  });
}

void gemm_s8_s32(int m, int n, int k, const int8_t* a, int lda, const int8_t* w, int ldw, int32_t* c, int ldc) {
  for_each_tile(m, n, k, a, lda, w, ldw, [&](int i, int j0, const int32_t* sums, int count) {
    std::copy(sums, sums + count, c + long(i) * ldc + j0);
  });
}

const char* gemm_int8_kernel_name() {
#ifdef __wasm_simd128__
  return "wasm-simd-dot";
#else
  return "portable";
#endif
}

}  // namespace distillery
