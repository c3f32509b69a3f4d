// Sections: the single-thread kernel (Eigen natively, blocked WASM SIMD on the
// web); splitting over threads.
#include "engine/kernels/gemm.h"

#include <algorithm>
#include <atomic>

#include "engine/core/settings.h"
#include "engine/kernels/gemm_blocked.h"
#include "engine/kernels/gemm_wasm_simd.h"
#include "engine/kernels/thread_pool.h"

#include <vector>

#ifndef __wasm_simd128__
#include <Eigen/Core>
#endif

namespace distillery {
namespace {

// --- The single-thread kernel ---------------------------------------------------
// Both kernels pack their operands into panels. The panels belong to the
// thread that CALLS gemm(), one set per part of a split product, and are
// grown by that thread before the parts are handed out: which pool thread
// runs which part changes from call to call, so buffers owned by the running
// thread would keep growing long after warm-up (a training step must not
// allocate once warm, tests/alloc).
#ifdef __wasm_simd128__
using PanelBuffer = std::vector<float>;
#else
using PanelBuffer = std::vector<float, Eigen::aligned_allocator<float>>;
#endif
struct Panels {
  PanelBuffer a, b;
};

void grow(PanelBuffer& buffer, size_t size) {
  if (buffer.size() < size) buffer.resize(size);
}

#ifdef __wasm_simd128__
// Eigen compiled to WebAssembly has no SIMD packet path and runs several times
// slower than the hand-written kernel (bench/gemm_bench).
void reserve_panels(Panels& panels, int m, int n, int k) {
  const GemmBlockedWorkspace need = gemm_blocked_workspace(m, n, k);
  grow(panels.a, need.packed_a);
  grow(panels.b, need.packed_b);
}

void gemm_one_thread(Panels& panels, bool transpose_a, bool transpose_b, int m, int n, int k, float alpha,
                     const float* a, int lda, const float* b, int ldb, float beta, float* c, int ldc) {
  if (m == 1) return gemv_row_wasm_simd(transpose_b, n, k, alpha, a, transpose_a ? lda : 1, b, ldb, beta, c);
  reserve_panels(panels, m, n, k);
  gemm_blocked_in(panels.a.data(), panels.b.data(), transpose_a, transpose_b, m, n, k, alpha, a, lda, b, ldb, beta,
                  c, ldc);
}
#else
// Natively Eigen (AVX2/AVX-512 + FMA with -march=native) beats our blocking
// with the portable micro-kernel by far, so it stays, called below its product
// expression: the expression mallocs its packed panels on every call above
// 128 KB (two or three allocations per layer per training step).
using Index = Eigen::Index;
using Stride = Eigen::OuterStride<>;
using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using View = Eigen::Map<RowMajor, 0, Stride>;

// Eigen's cache blocking for C[m, n] (row-major, so Eigen works on the
// transposed, column-major product: its "rows" are our n), panels given.
class GivenPanelsBlocking : public Eigen::internal::level3_blocking<float, float> {
 public:
  GivenPanelsBlocking(Index m, Index n, Index k) {
    m_mc = n;
    m_nc = m;
    m_kc = k;
    Eigen::internal::computeProductBlockingSizes<float, float, 1>(m_kc, m_mc, m_nc, Index{1});
  }
  size_t size_a() const { return static_cast<size_t>(m_mc * m_kc); }
  size_t size_b() const { return static_cast<size_t>(m_kc * m_nc); }
  void use(Panels& panels) {
    grow(panels.a, size_a());
    grow(panels.b, size_b());
    m_blockA = panels.a.data();
    m_blockB = panels.b.data();
  }
};

void reserve_panels(Panels& panels, int m, int n, int k) { GivenPanelsBlocking(m, n, k).use(panels); }

// C[m, n] += alpha * op(A) * op(B), C row-major; an untransposed operand is
// row-major, a transposed one reads as column-major with the same stride.
template <int AOrder, int BOrder>
void eigen_gemm(Panels& panels, int m, int n, int k, float alpha, const float* a, int lda, const float* b, int ldb,
                float* c, int ldc) {
  GivenPanelsBlocking blocking(m, n, k);
  blocking.use(panels);
  Eigen::internal::general_matrix_matrix_product<Index, float, AOrder, false, float, BOrder, false, Eigen::RowMajor,
                                                 1>::run(m, n, k, a, lda, b, ldb, c, 1, ldc, alpha, blocking);
}

// One row of C, as in batch-1 inference: Eigen's GEMM would pack all of
// op(B) on every call, its matrix-vector product reads it once (4x faster
// for a 784x256 Dense layer, bench/prune_bench). No heap: a strided row of
// op(A) is copied to the stack (Eigen's limit, 128 KB).
void gemv_row(bool transpose_a, bool transpose_b, int n, int k, float alpha, const float* a, int lda, const float* b,
              int ldb, float* c) {
  using ColMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>;
  const Eigen::Map<const Eigen::RowVectorXf, 0, Eigen::InnerStride<>> a_row(a, k,
                                                                            Eigen::InnerStride<>(transpose_a ? lda : 1));
  Eigen::Map<Eigen::RowVectorXf> c_row(c, n);
  if (transpose_b)
    c_row.noalias() += alpha * (a_row * Eigen::Map<const ColMajor, 0, Stride>(b, k, n, Stride(ldb)));
  else
    c_row.noalias() += alpha * (a_row * Eigen::Map<const RowMajor, 0, Stride>(b, k, n, Stride(ldb)));
}

void gemm_one_thread(Panels& panels, bool transpose_a, bool transpose_b, int m, int n, int k, float alpha,
                     const float* a, int lda, const float* b, int ldb, float beta, float* c, int ldc) {
  if (m == 0 || n == 0) return;
  View out(c, m, n, Stride(ldc));
  if (beta == 0.0f)
    out.setZero();
  else if (beta != 1.0f)
    out *= beta;
  if (k == 0 || alpha == 0.0f) return;
  if (m == 1) return gemv_row(transpose_a, transpose_b, n, k, alpha, a, lda, b, ldb, c);
  constexpr int R = Eigen::RowMajor, C = Eigen::ColMajor;
  if (!transpose_a && !transpose_b)
    eigen_gemm<R, R>(panels, m, n, k, alpha, a, lda, b, ldb, c, ldc);
  else if (transpose_a && !transpose_b)
    eigen_gemm<C, R>(panels, m, n, k, alpha, a, lda, b, ldb, c, ldc);
  else if (!transpose_a && transpose_b)
    eigen_gemm<R, C>(panels, m, n, k, alpha, a, lda, b, ldb, c, ldc);
  else
    eigen_gemm<C, C>(panels, m, n, k, alpha, a, lda, b, ldb, c, ldc);
}
#endif

// The calling thread's panels, one set per part of a split product.
thread_local std::vector<Panels> t_panels;

Panels* panels_for_parts(int parts) {
  if (t_panels.size() < static_cast<size_t>(parts)) t_panels.resize(static_cast<size_t>(parts));
  return t_panels.data();
}

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
    gemm_one_thread(*panels_for_parts(1), transpose_a, transpose_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    return;
  }
  // Each part is an independent product writing its own block of C. The parts
  // are parallel_for's chunks (at most `threads`), computed here the same way
  // so their panels can be sized before any worker starts.
  const ChunkSplit split(extent, grain, threads);
  const int parts = static_cast<int>(split.chunks);
  Panels* panels = panels_for_parts(parts);
  for (int p = 0; p < parts; ++p) {
    const int size = static_cast<int>(split.chunk_begin(p + 1) - split.chunk_begin(p));
    reserve_panels(panels[p], split_columns ? m : size, split_columns ? size : n, k);
  }
  parallel_tasks(parts, [&](int p) {
    const int64_t first = split.chunk_begin(p), last = split.chunk_begin(p + 1);
    const int size = static_cast<int>(last - first);
    if (split_columns) {
      const float* b_part = transpose_b ? b + first * ldb : b + first;
      gemm_one_thread(panels[p], transpose_a, transpose_b, m, size, k, alpha, a, lda, b_part, ldb, beta, c + first,
                      ldc);
    } else {
      const float* a_part = transpose_a ? a + first : a + first * lda;
      gemm_one_thread(panels[p], transpose_a, transpose_b, size, n, k, alpha, a_part, lda, b, ldb, beta,
                      c + first * ldc, ldc);
    }
  });
}

}  // namespace distillery
