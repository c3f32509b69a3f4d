#include "engine/kernels/gemm_wasm_simd.h"

#ifdef __wasm_simd128__

#include <wasm_simd128.h>

#include "engine/kernels/gemm_blocked.h"

namespace distillery {

static_assert(kMicroCols == 8, "the WebAssembly micro-kernel holds a row of the tile in two f32x4");

// Writes one row of the tile: c = alpha * acc + beta * c.
static inline void store_row(float* c, v128_t lo, v128_t hi, v128_t alpha, float beta) {
  lo = wasm_f32x4_mul(lo, alpha);
  hi = wasm_f32x4_mul(hi, alpha);
  if (beta == 0.0f) {  // BLAS rule: C is not read, so NaN or garbage there is overwritten
    wasm_v128_store(c, lo);
    wasm_v128_store(c + 4, hi);
    return;
  }
  v128_t c_lo = wasm_v128_load(c), c_hi = wasm_v128_load(c + 4);
  if (beta != 1.0f) {
    const v128_t beta_v = wasm_f32x4_splat(beta);
    c_lo = wasm_f32x4_mul(c_lo, beta_v);
    c_hi = wasm_f32x4_mul(c_hi, beta_v);
  }
  wasm_v128_store(c, wasm_f32x4_add(c_lo, lo));
  wasm_v128_store(c + 4, wasm_f32x4_add(c_hi, hi));
}

void micro_kernel_wasm_simd(int kc, const float* a, const float* b, float alpha, float beta, float* c, int ldc) {
  // acc[i][0..1] is row i of the tile. The loops over i are fully unrolled,
  // so the accumulators live in registers.
  v128_t acc[kMicroRows][2];
#pragma clang loop unroll(full)
  for (int i = 0; i < kMicroRows; ++i) acc[i][0] = acc[i][1] = wasm_f32x4_splat(0.0f);

  for (int p = 0; p < kc; ++p) {
    const v128_t b_lo = wasm_v128_load(b);
    const v128_t b_hi = wasm_v128_load(b + 4);
#pragma clang loop unroll(full)
    for (int i = 0; i < kMicroRows; ++i) {
      const v128_t a_i = wasm_v128_load32_splat(a + i);
      acc[i][0] = wasm_f32x4_add(acc[i][0], wasm_f32x4_mul(a_i, b_lo));
      acc[i][1] = wasm_f32x4_add(acc[i][1], wasm_f32x4_mul(a_i, b_hi));
    }
    a += kMicroRows;
    b += kMicroCols;
  }

  const v128_t alpha_v = wasm_f32x4_splat(alpha);
#pragma clang loop unroll(full)
  for (int i = 0; i < kMicroRows; ++i) store_row(c + i * ldc, acc[i][0], acc[i][1], alpha_v, beta);
}

}  // namespace distillery

#endif  // __wasm_simd128__
