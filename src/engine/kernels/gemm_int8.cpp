// The int8 GEMM driver: tiles of C, the epilogues, and the portable micro-kernel
// (the WebAssembly SIMD one is in gemm_int8_wasm_simd.cpp).
#include "engine/kernels/gemm_int8.h"

#include <algorithm>
#include <cmath>

#include "engine/kernels/gemm_int8_tile.h"

namespace distillery {

#ifndef __wasm_simd128__
// One dot product per sum with the k loop innermost: int8 widened to int16
// products summed in int32 is what GCC and Clang vectorise into pmaddwd
// (AVX2: 16 products per instruction) on their own.
void int8_dot_tile(int k, const int8_t* const a_rows[kInt8TileRows], const int8_t* const w_rows[kInt8TileCols],
                   int32_t sums[kInt8TileRows][kInt8TileCols]) {
  for (int r = 0; r < kInt8TileRows; ++r) {
    const int8_t* a = a_rows[r];
    for (int j = 0; j < kInt8TileCols; ++j) {
      const int8_t* w = w_rows[j];
      int32_t s = 0;
      for (int p = 0; p < k; ++p) s += int32_t(int16_t(a[p]) * int16_t(w[p]));
      sums[r][j] = s;
    }
  }
}
#endif

namespace {

// Runs the tiles over C and hands each tile's sums to store(i, j, sum).
// Rows and columns past the edge repeat the last valid one (their sums are
// dropped), so the micro-kernel has one shape.
template <typename Store>
void for_each_tile(int m, int n, int k, const int8_t* a, int lda, const int8_t* w, int ldw, Store store) {
  const int8_t* a_rows[kInt8TileRows];
  const int8_t* w_rows[kInt8TileCols];
  int32_t sums[kInt8TileRows][kInt8TileCols];
  for (int i0 = 0; i0 < m; i0 += kInt8TileRows) {
    const int rows = std::min(kInt8TileRows, m - i0);
    for (int r = 0; r < kInt8TileRows; ++r) a_rows[r] = a + long(i0 + std::min(r, rows - 1)) * lda;
    for (int j0 = 0; j0 < n; j0 += kInt8TileCols) {
      const int cols = std::min(kInt8TileCols, n - j0);
      for (int j = 0; j < kInt8TileCols; ++j) w_rows[j] = w + long(j0 + std::min(j, cols - 1)) * ldw;
      int8_dot_tile(k, a_rows, w_rows, sums);
      for (int r = 0; r < rows; ++r)
        for (int j = 0; j < cols; ++j) store(i0 + r, j0 + j, sums[r][j]);
    }
  }
}

}  // namespace

void gemm_s8_requantize(int m, int n, int k, const int8_t* a, int lda, const int8_t* w, int ldw,
                        const Int8Epilogue& e, int8_t* c, int ldc) {
  for_each_tile(m, n, k, a, lda, w, ldw, [&](int i, int j, int32_t sum) {
    // lrintf rounds half to even in the default mode, as XNNPACK's fp32 requantization does.
    const float scaled = float(sum + e.bias[j]) * e.multiplier[j];
    const long q = std::lrint(scaled) + e.output_zero_point;
    c[long(i) * ldc + j] = int8_t(std::clamp<long>(q, e.lo, e.hi));
  });
}

void gemm_s8_dequantize(int m, int n, int k, const int8_t* a, int lda, const int8_t* w, int ldw,
                        const Int8Epilogue& e, float* c, int ldc) {
  for_each_tile(m, n, k, a, lda, w, ldw, [&](int i, int j, int32_t sum) {
    c[long(i) * ldc + j] = float(sum + e.bias[j]) * e.multiplier[j];
  });
}

void gemm_s8_s32(int m, int n, int k, const int8_t* a, int lda, const int8_t* w, int ldw, int32_t* c, int ldc) {
  for_each_tile(m, n, k, a, lda, w, ldw, [&](int i, int j, int32_t sum) { c[long(i) * ldc + j] = sum; });
}

const char* gemm_int8_kernel_name() {
#ifdef __wasm_simd128__
  return "wasm-simd-dot";
#else
  return "portable";
#endif
}

}  // namespace distillery
