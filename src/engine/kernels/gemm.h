#pragma once
// gemm: C = alpha * op(A) * op(B) + beta * C, all row-major, with leading
// dimensions as in BLAS (lda = row stride of A as stored). Every matrix
// product of the engine goes through here so one optimised kernel (Eigen
// natively, hand-written WASM SIMD in the browser) serves Dense and Conv2D.
namespace distillery {

void gemm(bool transpose_a, bool transpose_b, int m, int n, int k, float alpha, const float* a, int lda,
          const float* b, int ldb, float beta, float* c, int ldc);

}  // namespace distillery
