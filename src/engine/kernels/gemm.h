#pragma once
// gemm: C = alpha * op(A) * op(B) + beta * C, all row-major, with leading
// dimensions as in BLAS (lda = row stride of A as stored). Every matrix
// product of the engine goes through here so one optimised kernel (Eigen
// natively, hand-written WASM SIMD in the browser) serves Dense and Conv2D.
//
// As in BLAS, beta == 0 overwrites C without reading it (NaN there is fine).
// Large products are split over the thread pool (engine/kernels/thread_pool.h,
// thread count from engine/core/settings.h) by rows or columns of C; each
// thread writes its own block of C, so no locks and no reduction.
#include <cstdint>

namespace distillery {

void gemm(bool transpose_a, bool transpose_b, int m, int n, int k, float alpha, const float* a, int lda,
          const float* b, int ldb, float beta, float* c, int ldc);

// Products below this many floating-point operations (2*m*n*k) run on one
// thread: waking a worker costs more than it saves. Benchmarks and tests
// change it; the default was measured (bench/gemm_bench, docs/BENCHMARKS.md).
void set_gemm_parallel_threshold(int64_t flops);
int64_t gemm_parallel_threshold();

// Which single-thread kernel this build runs ("eigen" or the blocked kernel).
const char* gemm_kernel_name();

}  // namespace distillery
