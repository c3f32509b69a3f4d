#pragma once
// The micro-kernel of gemm_int8: sums[r][j] = dot(a_rows[r], w_rows[j]) over
// k int8 values, for a tile of kInt8TileRows rows of A by kInt8TileCols rows
// of W. The driver (gemm_int8.cpp) points missing rows at valid ones on the
// edges and drops their sums. One definition per build: portable C++
// (gemm_int8.cpp) or WebAssembly SIMD (gemm_int8_wasm_simd.cpp).
#include <cstdint>

namespace distillery {

constexpr int kInt8TileRows = 2;
constexpr int kInt8TileCols = 4;

void int8_dot_tile(int k, const int8_t* const a_rows[kInt8TileRows], const int8_t* const w_rows[kInt8TileCols],
                   int32_t sums[kInt8TileRows][kInt8TileCols]);

// A single row of A (batch-1 inference, the odd last row) against
// kInt8RowCols rows of W: the 2-row tile would compute its row twice.
constexpr int kInt8RowCols = 8;
void int8_dot_row(int k, const int8_t* a, const int8_t* const w_rows[kInt8RowCols], int32_t sums[kInt8RowCols]);

// The int8 epilogue over `count` consecutive outputs of one row (see
// Int8Epilogue in gemm_int8.h; bias and multiplier already offset to the first
// column). The WebAssembly build does four at a time in SIMD, bit for bit the
// same arithmetic.
void requantize_run(const int32_t* sums, int count, const int32_t* bias, const float* multiplier,
                    float output_zero_point, float lo, float hi, int8_t* out);
// The scalar forms, for the SIMD versions' tails (and natively the whole job).
void requantize_run_scalar(const int32_t* sums, int count, const int32_t* bias, const float* multiplier,
                           float output_zero_point, float lo, float hi, int8_t* out);
void quantize_to_int8_scalar(const float* x, int64_t n, float inverse_scale, float zero_point, int8_t* out);

}  // namespace distillery
