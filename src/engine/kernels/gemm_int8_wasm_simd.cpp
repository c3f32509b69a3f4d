// The int8 micro-kernel in WebAssembly SIMD. Eight int8 values of a row load
// sign-extended into an i16x8 (v128.load8x8_s); i32x4.dot_i16x8_s multiplies
// the eight pairs and adds neighbours into four int32 lanes, so one
// instruction does eight multiply-adds exactly. Each of the 2x4 sums of the
// tile keeps an i32x4 of partial sums, reduced once at the end.
#ifdef __wasm_simd128__

#include <wasm_simd128.h>

#include "engine/kernels/gemm_int8.h"
#include "engine/kernels/gemm_int8_tile.h"

namespace distillery {

static_assert(kInt8TileRows == 2 && kInt8TileCols == 4 && kInt8RowCols == 8,
              "the reductions below pack four sums into one i32x4");

// [sum(v0), sum(v1), sum(v2), sum(v3)]: two rounds of pairwise shuffles and adds.
static inline v128_t horizontal_sums(v128_t v0, v128_t v1, v128_t v2, v128_t v3) {
  const v128_t s01 = wasm_i32x4_add(wasm_i32x4_shuffle(v0, v1, 0, 4, 1, 5), wasm_i32x4_shuffle(v0, v1, 2, 6, 3, 7));
  const v128_t s23 = wasm_i32x4_add(wasm_i32x4_shuffle(v2, v3, 0, 4, 1, 5), wasm_i32x4_shuffle(v2, v3, 2, 6, 3, 7));
  // s01 = [v0[0]+v0[2], v1[0]+v1[2], v0[1]+v0[3], v1[1]+v1[3]]; likewise s23 for v2, v3.
  return wasm_i32x4_add(wasm_i32x4_shuffle(s01, s23, 0, 1, 4, 5), wasm_i32x4_shuffle(s01, s23, 2, 3, 6, 7));
}

void int8_dot_tile(int k, const int8_t* const a_rows[kInt8TileRows], const int8_t* const w_rows[kInt8TileCols],
                   int32_t sums[kInt8TileRows][kInt8TileCols]) {
  v128_t acc[kInt8TileRows][kInt8TileCols];
#pragma clang loop unroll(full)
  for (int r = 0; r < kInt8TileRows; ++r)
#pragma clang loop unroll(full)
    for (int j = 0; j < kInt8TileCols; ++j) acc[r][j] = wasm_i32x4_splat(0);

  int p = 0;
  for (; p + 8 <= k; p += 8) {
    const v128_t a0 = wasm_i16x8_load8x8(a_rows[0] + p);
    const v128_t a1 = wasm_i16x8_load8x8(a_rows[1] + p);
#pragma clang loop unroll(full)
    for (int j = 0; j < kInt8TileCols; ++j) {
      const v128_t wj = wasm_i16x8_load8x8(w_rows[j] + p);
      acc[0][j] = wasm_i32x4_add(acc[0][j], wasm_i32x4_dot_i16x8(a0, wj));
      acc[1][j] = wasm_i32x4_add(acc[1][j], wasm_i32x4_dot_i16x8(a1, wj));
    }
  }
#pragma clang loop unroll(full)
  for (int r = 0; r < kInt8TileRows; ++r) {
    int32_t tail[kInt8TileCols];
    wasm_v128_store(tail, horizontal_sums(acc[r][0], acc[r][1], acc[r][2], acc[r][3]));
    for (int j = 0; j < kInt8TileCols; ++j) {
      int32_t s = tail[j];
      for (int q = p; q < k; ++q) s += int32_t(a_rows[r][q]) * int32_t(w_rows[j][q]);
      sums[r][j] = s;
    }
  }
}

void int8_dot_row(int k, const int8_t* a, const int8_t* const w_rows[kInt8RowCols], int32_t sums[kInt8RowCols]) {
  v128_t acc[kInt8RowCols];
#pragma clang loop unroll(full)
  for (int j = 0; j < kInt8RowCols; ++j) acc[j] = wasm_i32x4_splat(0);
  int p = 0;
  for (; p + 8 <= k; p += 8) {
    const v128_t x = wasm_i16x8_load8x8(a + p);
#pragma clang loop unroll(full)
    for (int j = 0; j < kInt8RowCols; ++j)
      acc[j] = wasm_i32x4_add(acc[j], wasm_i32x4_dot_i16x8(x, wasm_i16x8_load8x8(w_rows[j] + p)));
  }
  int32_t partial[kInt8RowCols];
  wasm_v128_store(partial, horizontal_sums(acc[0], acc[1], acc[2], acc[3]));
  wasm_v128_store(partial + 4, horizontal_sums(acc[4], acc[5], acc[6], acc[7]));
  for (int j = 0; j < kInt8RowCols; ++j) {
    int32_t s = partial[j];
    for (int q = p; q < k; ++q) s += int32_t(a[q]) * int32_t(w_rows[j][q]);
    sums[j] = s;
  }
}

// Four float values, already scaled, to int8: round half to even (f32x4.nearest,
// as nearbyint), add the zero point, clamp as floats, truncate (exact: integral
// by then) and narrow to the low four bytes.
static inline uint32_t round_clamp_narrow(v128_t scaled, v128_t zero_point, v128_t lo, v128_t hi) {
  v128_t v = wasm_f32x4_add(wasm_f32x4_nearest(scaled), zero_point);
  v = wasm_f32x4_min(wasm_f32x4_max(v, lo), hi);
  const v128_t i32 = wasm_i32x4_trunc_sat_f32x4(v);
  const v128_t i16 = wasm_i16x8_narrow_i32x4(i32, i32);
  return uint32_t(wasm_i32x4_extract_lane(wasm_i8x16_narrow_i16x8(i16, i16), 0));
}

void requantize_run(const int32_t* sums, int count, const int32_t* bias, const float* multiplier,
                    float output_zero_point, float lo, float hi, int8_t* out) {
  const v128_t zp = wasm_f32x4_splat(output_zero_point), lo_v = wasm_f32x4_splat(lo), hi_v = wasm_f32x4_splat(hi);
  int j = 0;
  for (; j + 4 <= count; j += 4) {
    const v128_t acc = wasm_i32x4_add(wasm_v128_load(sums + j), wasm_v128_load(bias + j));
    const v128_t scaled = wasm_f32x4_mul(wasm_f32x4_convert_i32x4(acc), wasm_v128_load(multiplier + j));
    const uint32_t four = round_clamp_narrow(scaled, zp, lo_v, hi_v);
    __builtin_memcpy(out + j, &four, 4);
  }
  requantize_run_scalar(sums + j, count - j, bias + j, multiplier + j, output_zero_point, lo, hi, out + j);
}

void quantize_to_int8(const float* x, int64_t n, float inverse_scale, float zero_point, int8_t* out) {
  const v128_t inverse = wasm_f32x4_splat(inverse_scale), zp = wasm_f32x4_splat(zero_point);
  const v128_t lo = wasm_f32x4_splat(-128.0f), hi = wasm_f32x4_splat(127.0f);
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const uint32_t four = round_clamp_narrow(wasm_f32x4_mul(wasm_v128_load(x + i), inverse), zp, lo, hi);
    __builtin_memcpy(out + i, &four, 4);
  }
  quantize_to_int8_scalar(x + i, n - i, inverse_scale, zero_point, out + i);
}

}  // namespace distillery

#endif
