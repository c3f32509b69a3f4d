#include "engine/kernels/gemm_wasm_simd.h"

#ifdef __wasm_simd128__

#include <wasm_simd128.h>

#include "engine/kernels/gemm_blocked.h"

namespace distillery {

static_assert(kMicroCols == 8, "the WebAssembly micro-kernel holds a row of the tile in two f32x4");

// Writes four values of C: c = alpha * acc + beta * c.
static inline void store_vector(float* c, v128_t acc, v128_t alpha, float beta) {
  acc = wasm_f32x4_mul(acc, alpha);
  if (beta == 0.0f) {  // BLAS rule: C is not read, so NaN or garbage there is overwritten
    wasm_v128_store(c, acc);
    return;
  }
  v128_t old = wasm_v128_load(c);
  if (beta != 1.0f) old = wasm_f32x4_mul(old, wasm_f32x4_splat(beta));
  wasm_v128_store(c, wasm_f32x4_add(old, acc));
}

static inline void store_scalar(float* c, float acc, float alpha, float beta) {
  *c = beta == 0.0f ? alpha * acc : alpha * acc + beta * *c;
}

// Writes one row of the tile.
static inline void store_row(float* c, v128_t lo, v128_t hi, v128_t alpha, float beta) {
  store_vector(c, lo, alpha, beta);
  store_vector(c + 4, hi, alpha, beta);
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

static inline v128_t add_product(v128_t acc, v128_t x, const float* b) {
  return wasm_f32x4_add(acc, wasm_f32x4_mul(x, wasm_v128_load(b)));
}

// c = beta * c over n values; beta == 0 does not read c (BLAS rule).
static void scale_row(float* c, int n, float beta) {
  for (int j = 0; j < n; ++j) c[j] = beta == 0.0f ? 0.0f : beta * c[j];
}

// op(B) stored as B [k, n]: C first holds beta * C, then gains alpha * x[p] *
// B[p, :] four rows of B at a time, so B is read in the order it is stored and
// C, one row, stays in L1. (Sums held in registers over 16-column strips ran
// 3x slower on a 1024x1024 layer: each strip jumps a page per row of B.)
static void gemv_over_rows(int n, int k, float alpha, const float* x, int x_stride, const float* b, int ldb,
                           float beta, float* c) {
  scale_row(c, n, beta);
  auto scaled_x = [&](int p) { return alpha * x[long(p) * x_stride]; };
  int p = 0;
  for (; p + 4 <= k; p += 4) {
    const float s0 = scaled_x(p), s1 = scaled_x(p + 1), s2 = scaled_x(p + 2), s3 = scaled_x(p + 3);
    const v128_t x0 = wasm_f32x4_splat(s0), x1 = wasm_f32x4_splat(s1), x2 = wasm_f32x4_splat(s2),
                 x3 = wasm_f32x4_splat(s3);
    const float* r0 = b + long(p) * ldb;
    const float *r1 = r0 + ldb, *r2 = r1 + ldb, *r3 = r2 + ldb;
    int j = 0;
    for (; j + 4 <= n; j += 4) {
      const v128_t first = add_product(wasm_f32x4_mul(x0, wasm_v128_load(r0 + j)), x1, r1 + j);
      const v128_t second = add_product(wasm_f32x4_mul(x2, wasm_v128_load(r2 + j)), x3, r3 + j);
      wasm_v128_store(c + j, wasm_f32x4_add(wasm_v128_load(c + j), wasm_f32x4_add(first, second)));
    }
    for (; j < n; ++j) c[j] += (s0 * r0[j] + s1 * r1[j]) + (s2 * r2[j] + s3 * r3[j]);
  }
  for (; p < k; ++p) {
    const float s = scaled_x(p);
    const v128_t xp = wasm_f32x4_splat(s);
    const float* row = b + long(p) * ldb;
    int j = 0;
    for (; j + 4 <= n; j += 4) wasm_v128_store(c + j, add_product(wasm_v128_load(c + j), xp, row + j));
    for (; j < n; ++j) c[j] += s * row[j];
  }
}

static inline float horizontal_sum(v128_t v) {
  return (wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1)) +
         (wasm_f32x4_extract_lane(v, 2) + wasm_f32x4_extract_lane(v, 3));
}

// Four values of x from p on; gathered when x is a strided column.
static inline v128_t load_x(const float* x, int x_stride, int p) {
  if (x_stride == 1) return wasm_v128_load(x + p);
  const float* at = x + long(p) * x_stride;
  return wasm_f32x4_make(at[0], at[x_stride], at[2 * x_stride], at[3 * x_stride]);
}

// op(B) = B^T with B stored [n, k]: each value of C is the dot product of x
// with a row of B; four rows at a time share each load of x.
static void gemv_over_columns(int n, int k, float alpha, const float* x, int x_stride, const float* b, int ldb,
                              float beta, float* c) {
  int j = 0;
  for (; j + 4 <= n; j += 4) {
    const float* rows[4] = {b + long(j) * ldb, b + long(j + 1) * ldb, b + long(j + 2) * ldb, b + long(j + 3) * ldb};
    v128_t s[4] = {wasm_f32x4_splat(0.0f), wasm_f32x4_splat(0.0f), wasm_f32x4_splat(0.0f), wasm_f32x4_splat(0.0f)};
    int p = 0;
    for (; p + 4 <= k; p += 4) {
      const v128_t xv = load_x(x, x_stride, p);
#pragma clang loop unroll(full)
      for (int r = 0; r < 4; ++r) s[r] = add_product(s[r], xv, rows[r] + p);
    }
    float sums[4];
    for (int r = 0; r < 4; ++r) {
      sums[r] = horizontal_sum(s[r]);
      for (int q = p; q < k; ++q) sums[r] += x[long(q) * x_stride] * rows[r][q];
    }
    store_vector(c + j, wasm_v128_load(sums), wasm_f32x4_splat(alpha), beta);
  }
  for (; j < n; ++j) {
    const float* row = b + long(j) * ldb;
    float sum = 0.0f;
    for (int p = 0; p < k; ++p) sum += x[long(p) * x_stride] * row[p];
    store_scalar(c + j, sum, alpha, beta);
  }
}

void gemv_row_wasm_simd(bool transpose_b, int n, int k, float alpha, const float* x, int x_stride, const float* b,
                        int ldb, float beta, float* c) {
  if (k == 0 || alpha == 0.0f) return scale_row(c, n, beta);  // BLAS rule: A and B are not read
  if (transpose_b)
    gemv_over_columns(n, k, alpha, x, x_stride, b, ldb, beta, c);
  else
    gemv_over_rows(n, k, alpha, x, x_stride, b, ldb, beta, c);
}

}  // namespace distillery

#endif  // __wasm_simd128__
