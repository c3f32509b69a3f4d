// CSR kernel for pruned Dense layers (see sparse_matmul.h for the layout).
//   - csr_from_dense_kernel: transposing build
//   - batch 1: gathered dot products (AVX2 gathers natively when available)
//   - batch > 1: blocks of 16 or 32 samples: X^T block, then per non-zero one
//     axpy into accumulators held in registers. GCC/Clang vector types map to
//     AVX-512/AVX2 natively and to WASM SIMD (4 x v128) under Emscripten.
#include "engine/kernels/sparse_matmul.h"

#include <algorithm>
#include <atomic>
#include <cassert>
#include <cstring>

#if defined(__AVX2__)
#include <immintrin.h>
#endif

namespace distillery {
namespace {

// 16 floats; aligned(4) so unaligned loads from any float address are allowed.
typedef float Lanes16 __attribute__((vector_size(64), aligned(4)));

// Where the CSR kernel starts to beat the dense GEMM (bench/prune_bench, see
// docs/BENCHMARKS.md). Natively Eigen's AVX-512 GEMV reads a 784x256 kernel
// from L2 at ~40 GFLOP/s, which gathers only beat from ~90 % sparsity; for
// batches the crossover is ~70-75 %. In WebAssembly the GEMM has no FMA and a
// quarter of the width, so for batches CSR wins from ~50 %; at batch 1 its
// streaming GEMV (gemm_wasm_simd.h) holds out to ~70-75 % on small layers.
#ifdef __EMSCRIPTEN__
constexpr float kDefaultSingle = 0.75f, kDefaultBatched = 0.5f;
#else
constexpr float kDefaultSingle = 0.9f, kDefaultBatched = 0.75f;
#endif
std::atomic<float> g_threshold_single{kDefaultSingle};
std::atomic<float> g_threshold_batched{kDefaultBatched};

float dot_gathered(const float* val, const int32_t* col, int32_t k, int32_t end, const float* x) {
  float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
#if defined(__AVX2__)
  __m256 acc = _mm256_setzero_ps();
  for (; k + 8 <= end; k += 8) {
    const __m256i idx = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(col + k));
    acc = _mm256_fmadd_ps(_mm256_loadu_ps(val + k), _mm256_i32gather_ps(x, idx, 4), acc);
  }
  float lanes[8];
  _mm256_storeu_ps(lanes, acc);
  s0 = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
  s1 = (lanes[4] + lanes[5]) + (lanes[6] + lanes[7]);
#endif
  // Four accumulators hide the latency of the dependent adds.
  for (; k + 4 <= end; k += 4) {
    s0 += val[k] * x[col[k]];
    s1 += val[k + 1] * x[col[k + 1]];
    s2 += val[k + 2] * x[col[k + 2]];
    s3 += val[k + 3] * x[col[k + 3]];
  }
  for (; k < end; ++k) s0 += val[k] * x[col[k]];
  return (s0 + s1) + (s2 + s3);
}

// y[o] = bias[o] + sum_k value[k] * x[col[k]] for one sample.
void forward_one(const CsrMatrix& w, const float* x, const float* bias, float* y) {
  for (int o = 0; o < w.rows; ++o)
    y[o] = (bias ? bias[o] : 0.0f) + dot_gathered(w.value.data(), w.col.data(), w.row_begin[o], w.row_begin[o + 1], x);
}

// One block of `count` <= 16 * V samples. xt is X^T [in, 16 * V] (zero-padded
// lanes past count); each output's accumulators stay in registers.
template <int V>
void forward_block(const CsrMatrix& w, const float* x, int count, const float* bias, float* y, float* xt) {
  constexpr int kWidth = 16 * V;
  const int in = w.cols, out = w.rows;
  for (int i = 0; i < in; ++i) {
    float* row = xt + static_cast<int64_t>(i) * kWidth;
    for (int s = 0; s < count; ++s) row[s] = x[static_cast<int64_t>(s) * in + i];
    for (int s = count; s < kWidth; ++s) row[s] = 0.0f;
  }
  const int32_t* col = w.col.data();
  const float* val = w.value.data();
  for (int o = 0; o < out; ++o) {
    Lanes16 acc[V];
    for (int j = 0; j < V; ++j) acc[j] = Lanes16{} + (bias ? bias[o] : 0.0f);
    for (int32_t k = w.row_begin[o]; k < w.row_begin[o + 1]; ++k) {
      const float v = val[k];
      const Lanes16* src = reinterpret_cast<const Lanes16*>(xt + static_cast<int64_t>(col[k]) * kWidth);
      for (int j = 0; j < V; ++j) acc[j] += v * src[j];
    }
    float lanes[kWidth];
    std::memcpy(lanes, acc, sizeof lanes);
    for (int s = 0; s < count; ++s) y[static_cast<int64_t>(s) * out + o] = lanes[s];
  }
}

}  // namespace

CsrMatrix csr_from_dense_kernel(const float* kernel, int in, int out) {
  CsrMatrix m;
  m.rows = out;
  m.cols = in;
  m.row_begin.assign(static_cast<size_t>(out) + 1, 0);
  // Count per output first, then fill: one pass over the kernel each.
  for (int i = 0; i < in; ++i)
    for (int o = 0; o < out; ++o) m.row_begin[o + 1] += kernel[static_cast<int64_t>(i) * out + o] != 0.0f;
  for (int o = 0; o < out; ++o) m.row_begin[o + 1] += m.row_begin[o];
  m.col.resize(static_cast<size_t>(m.row_begin[out]));
  m.value.resize(m.col.size());
  std::vector<int32_t> next(m.row_begin.begin(), m.row_begin.end() - 1);
  for (int i = 0; i < in; ++i)
    for (int o = 0; o < out; ++o) {
      const float v = kernel[static_cast<int64_t>(i) * out + o];
      if (v == 0.0f) continue;
      m.col[next[o]] = i;
      m.value[next[o]++] = v;
    }
  return m;
}

void csr_dense_forward(const CsrMatrix& w, const float* x, int n, const float* bias, float* y,
                       std::vector<float>& workspace) {
  assert(static_cast<int>(w.row_begin.size()) == w.rows + 1);
  if (n == 1) return forward_one(w, x, bias, y);
  // Blocks of 32 samples, and one of 16 for a short tail.
  workspace.resize(static_cast<size_t>(w.cols) * 32);
  for (int start = 0; start < n;) {
    const int count = std::min(32, n - start);
    const float* xs = x + static_cast<int64_t>(start) * w.cols;
    float* ys = y + static_cast<int64_t>(start) * w.rows;
    if (count > 16)
      forward_block<2>(w, xs, count, bias, ys, workspace.data());
    else
      forward_block<1>(w, xs, count, bias, ys, workspace.data());
    start += count;
  }
}

float sparse_dense_threshold(int batch) { return batch <= 1 ? g_threshold_single.load() : g_threshold_batched.load(); }
void set_sparse_dense_threshold(float sparsity) {
  g_threshold_single.store(sparsity);
  g_threshold_batched.store(sparsity);
}
void reset_sparse_dense_threshold() {
  g_threshold_single.store(kDefaultSingle);
  g_threshold_batched.store(kDefaultBatched);
}

}  // namespace distillery
