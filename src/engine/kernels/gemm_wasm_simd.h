#pragma once
// The WebAssembly SIMD kernels (only built with -msimd128): the micro-kernel
// of gemm_blocked, and a matrix-vector product for single rows. WebAssembly
// has no FMA, so each step is an f32x4 multiply and an f32x4 add; the tile is
// as large as the x86-64 register file allows.
#ifdef __wasm_simd128__

namespace distillery {

// c[kMicroRows x kMicroCols] (row stride ldc) = alpha * A_panel * B_panel + beta * c.
// a: kc groups of kMicroRows values (one packed column of A per step);
// b: kc groups of kMicroCols values. beta == 0 writes c without reading it.
void micro_kernel_wasm_simd(int kc, const float* a, const float* b, float alpha, float beta, float* c, int ldc);

// One row of C, as in batch-1 inference: c[0, n) = alpha * x * op(B) + beta * c,
// x holding k values x_stride apart. The blocked product would pack all of
// op(B) and fill one of its tile's four rows; this reads op(B) once, in place.
void gemv_row_wasm_simd(bool transpose_b, int n, int k, float alpha, const float* x, int x_stride, const float* b,
                        int ldb, float beta, float* c);

}  // namespace distillery

#endif
