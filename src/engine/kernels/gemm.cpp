// Sections: the single-thread kernel (Eigen natively, blocked WASM SIMD on the
// web); splitting over threads.
#include "engine/kernels/gemm.h"

#include <algorithm>
#include <atomic>

#include "engine/core/settings.h"
#include "engine/kernels/gemm_blocked.h"
#include "engine/kernels/thread_pool.h"

#ifndef __wasm_simd128__
#include <Eigen/Core>
#endif

namespace distillery {
namespace {

// --- The single-thread kernel ---------------------------------------------------
#ifdef __wasm_simd128__
// Eigen compiled to WebAssembly has no SIMD packet path and runs several times
// slower than the hand-written kernel (bench/gemm_bench).
void gemm_one_thread(bool transpose_a, bool transpose_b, int m, int n, int k, float alpha, const float* a, int lda,
                     const float* b, int ldb, float beta, float* c, int ldc) {
  gemm_blocked(transpose_a, transpose_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
#else
// Natively Eigen (AVX2/AVX-512 + FMA with -march=native) beats our blocking
// with the portable micro-kernel by far, so it stays.
using Stride = Eigen::OuterStride<>;
using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstView = Eigen::Map<const RowMajor, 0, Stride>;
using View = Eigen::Map<RowMajor, 0, Stride>;

void gemm_one_thread(bool transpose_a, bool transpose_b, int m, int n, int k, float alpha, const float* a, int lda,
                     const float* b, int ldb, float beta, float* c, int ldc) {
  if (m == 0 || n == 0) return;
  View out(c, m, n, Stride(ldc));
  if (beta == 0.0f)
    out.setZero();
  else if (beta != 1.0f)
    out *= beta;
  if (k == 0 || alpha == 0.0f) return;
  // Stored shapes: A is [m, k] or [k, m] (transposed); B is [k, n] or [n, k].
  ConstView a_view(a, transpose_a ? k : m, transpose_a ? m : k, Stride(lda));
  ConstView b_view(b, transpose_b ? n : k, transpose_b ? k : n, Stride(ldb));
  if (!transpose_a && !transpose_b)
    out.noalias() += alpha * a_view * b_view;
  else if (transpose_a && !transpose_b)
    out.noalias() += alpha * a_view.transpose() * b_view;
  else if (!transpose_a && transpose_b)
    out.noalias() += alpha * a_view * b_view.transpose();
  else
    out.noalias() += alpha * a_view.transpose() * b_view.transpose();
}
#endif

// --- Splitting over threads --------------------------------------------------------
// Below this a second thread does not pay (measured with bench/gemm_bench on
// 2 cores: see docs/BENCHMARKS.md).
std::atomic<int64_t> g_parallel_threshold{1 << 20};

// Split granularity: whole micro-tiles for the blocked kernel, and whole
// SIMD registers (16 floats) for Eigen's column blocks.
constexpr int kRowGrain = kMicroRows * 4;
constexpr int kColGrain = 16;

}  // namespace

void set_gemm_parallel_threshold(int64_t flops) { g_parallel_threshold.store(std::max<int64_t>(flops, 0)); }
int64_t gemm_parallel_threshold() { return g_parallel_threshold.load(); }

const char* gemm_kernel_name() {
#ifdef __wasm_simd128__
  return gemm_blocked_kernel_name();
#else
  return "eigen";
#endif
}

void gemm(bool transpose_a, bool transpose_b, int m, int n, int k, float alpha, const float* a, int lda,
          const float* b, int ldb, float beta, float* c, int ldc) {
  const int64_t flops = 2 * static_cast<int64_t>(m) * n * k;
  const int threads = thread_count();
  const bool split_columns = n >= m;
  const int extent = split_columns ? n : m;
  const int grain = split_columns ? kColGrain : kRowGrain;
  if (threads <= 1 || flops < g_parallel_threshold.load(std::memory_order_relaxed) || extent < 2 * grain ||
      inside_parallel_task()) {
    gemm_one_thread(transpose_a, transpose_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    return;
  }
  // Each part is an independent product writing its own block of C.
  if (split_columns) {
    parallel_for(0, n, grain, [&](int64_t j0, int64_t j1) {
      const float* b_part = transpose_b ? b + j0 * ldb : b + j0;
      gemm_one_thread(transpose_a, transpose_b, m, static_cast<int>(j1 - j0), k, alpha, a, lda, b_part, ldb, beta,
                      c + j0, ldc);
    });
  } else {
    parallel_for(0, m, grain, [&](int64_t i0, int64_t i1) {
      const float* a_part = transpose_a ? a + i0 : a + i0 * lda;
      gemm_one_thread(transpose_a, transpose_b, static_cast<int>(i1 - i0), n, k, alpha, a_part, lda, b, ldb, beta,
                      c + i0 * ldc, ldc);
    });
  }
}

}  // namespace distillery
