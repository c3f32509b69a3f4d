// CSR kernel for pruned Dense layers (see sparse_matmul.h for the layout).
//   - csr_from_dense_kernel: transposing build
//   - gathered dot products for small batches
//   - blocked SpMM (transpose a block of samples, axpy per non-zero) for larger ones
#include "engine/kernels/sparse_matmul.h"

#include <algorithm>
#include <atomic>
#include <cassert>

namespace distillery {
namespace {

// Samples per block of the batched path: X^T and Y^T blocks of this width stay
// in cache for the layer sizes we meet (784 x 64 floats = 200 KB).
constexpr int kBlock = 64;
// Below this batch size the gathered dot products win (no transposes).
constexpr int kSmallBatch = 4;

std::atomic<float> g_threshold{0.7f};

// y[o] = bias[o] + sum_k value[k] * x[col[k]] for one sample.
void forward_one(const CsrMatrix& w, const float* x, const float* bias, float* y) {
  const int32_t* col = w.col.data();
  const float* val = w.value.data();
  for (int o = 0; o < w.rows; ++o) {
    int32_t k = w.row_begin[o];
    const int32_t end = w.row_begin[o + 1];
    // Four accumulators hide the latency of the dependent adds.
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (; k + 4 <= end; k += 4) {
      s0 += val[k] * x[col[k]];
      s1 += val[k + 1] * x[col[k + 1]];
      s2 += val[k + 2] * x[col[k + 2]];
      s3 += val[k + 3] * x[col[k + 3]];
    }
    for (; k < end; ++k) s0 += val[k] * x[col[k]];
    y[o] = (bias ? bias[o] : 0.0f) + ((s0 + s1) + (s2 + s3));
  }
}

// One block of `count` samples: xt is X^T [in, count], yt is Y^T [out, count].
void forward_block(const CsrMatrix& w, const float* x, int count, const float* bias, float* y, float* xt,
                   float* yt) {
  const int in = w.cols, out = w.rows;
  for (int s = 0; s < count; ++s)
    for (int i = 0; i < in; ++i) xt[i * count + s] = x[static_cast<int64_t>(s) * in + i];
  for (int o = 0; o < out; ++o) {
    float* __restrict acc = yt + static_cast<int64_t>(o) * count;
    const float b = bias ? bias[o] : 0.0f;
    for (int s = 0; s < count; ++s) acc[s] = b;
    for (int32_t k = w.row_begin[o]; k < w.row_begin[o + 1]; ++k) {
      const float v = w.value[k];
      const float* __restrict src = xt + static_cast<int64_t>(w.col[k]) * count;
      for (int s = 0; s < count; ++s) acc[s] += v * src[s];
    }
  }
  for (int s = 0; s < count; ++s)
    for (int o = 0; o < out; ++o) y[static_cast<int64_t>(s) * out + o] = yt[static_cast<int64_t>(o) * count + s];
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
  if (n < kSmallBatch) {
    for (int s = 0; s < n; ++s) forward_one(w, x + static_cast<int64_t>(s) * w.cols, bias, y + static_cast<int64_t>(s) * w.rows);
    return;
  }
  const int block = std::min(n, kBlock);
  workspace.resize(static_cast<size_t>(block) * (w.cols + w.rows));
  float* xt = workspace.data();
  float* yt = xt + static_cast<int64_t>(block) * w.cols;
  for (int start = 0; start < n; start += block) {
    const int count = std::min(block, n - start);
    forward_block(w, x + static_cast<int64_t>(start) * w.cols, count, bias, y + static_cast<int64_t>(start) * w.rows,
                  xt, yt);
  }
}

float sparse_dense_threshold() { return g_threshold.load(); }
void set_sparse_dense_threshold(float sparsity) { g_threshold.store(sparsity); }

}  // namespace distillery
