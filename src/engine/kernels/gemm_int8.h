#pragma once
// Integer GEMM for quantized inference: C = requantize(A_s8 * W_s8^T + bias_s32).
//
// A is [m, k] int8 row-major (activations, lda = row stride); W is [n, k]
// int8, one output channel per row with its k weights contiguous (a Keras
// kernel [k, n] transposed once when the model is quantized), so each value of
// C is a dot product of two contiguous int8 rows — the shape
// i32x4.dot_i16x8_s wants (gemm_int8_wasm_simd.cpp) and the one a native
// compiler turns into pmaddwd. Products accumulate exactly in int32.
//
// The epilogue runs on each tile of int32 sums while they are in registers
// (XNNPACK's "fp32 requantization"):
//   int8 output:  c = clamp(round((acc + bias[j]) * multiplier[j]) + output_zero_point, lo, hi)
//                 lo = output_zero_point fuses a ReLU (the quantized value of 0.0)
//   float output: c = (acc + bias[j]) * multiplier[j]   (logits of the last layer)
// The input zero point is folded into bias by the caller (bias - zp_in * sum_k W[j, k]).
#include <cstdint>

namespace distillery {

struct Int8Epilogue {
  const int32_t* bias = nullptr;       // [n], required
  const float* multiplier = nullptr;   // [n]: input scale * weight scale[j] / output scale
  int32_t output_zero_point = 0;
  int32_t lo = -128, hi = 127;         // clamp of the int8 output
};

// int8 output, row stride ldc.
void gemm_s8_requantize(int m, int n, int k, const int8_t* a, int lda, const int8_t* w, int ldw,
                        const Int8Epilogue& epilogue, int8_t* c, int ldc);
// float output (multiplier[j] = input scale * weight scale[j]); output_zero_point, lo, hi unused.
void gemm_s8_dequantize(int m, int n, int k, const int8_t* a, int lda, const int8_t* w, int ldw,
                        const Int8Epilogue& epilogue, float* c, int ldc);
// The raw int32 sums, no epilogue (tests, references).
void gemm_s8_s32(int m, int n, int k, const int8_t* a, int lda, const int8_t* w, int ldw, int32_t* c, int ldc);

// out[i] = clamp(nearbyint(x[i] * inverse_scale) + zero_point, -128, 127): an
// activation quantized (round half to even), SIMD in the WebAssembly build.
void quantize_to_int8(const float* x, int64_t n, float inverse_scale, float zero_point, int8_t* out);

// "wasm-simd-dot" or "portable".
const char* gemm_int8_kernel_name();

}  // namespace distillery
