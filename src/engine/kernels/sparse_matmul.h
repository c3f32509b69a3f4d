#pragma once
// Sparse execution of a pruned Dense layer: y[n, out] = x[n, in] * W[in, out] + b,
// with W held in CSR form *transposed* (one CSR row per output unit, listing the
// inputs it reads). That layout turns the product into
//   - batch 1:   one gathered dot product per output (x stays in L1), and
//   - batch > 1: Y^T[o, :] += w * X^T[i, :], a contiguous axpy over a block of
//                samples, which vectorises natively and with WASM SIMD.
// Only the non-zeros are stored, so a 90 %-sparse kernel reads ~1/5 of the bytes
// the dense GEMM reads (values + int32 column indices).
#include <cstdint>
#include <vector>

namespace distillery {

struct CsrMatrix {
  int rows = 0;                    // output units (rows of W^T)
  int cols = 0;                    // inputs (columns of W^T)
  std::vector<int32_t> row_begin;  // rows + 1 offsets into col/value
  std::vector<int32_t> col;        // input index of each non-zero
  std::vector<float> value;        // the non-zero weights

  int64_t nonzeros() const { return static_cast<int64_t>(value.size()); }
  // Bytes the CSR form occupies: values, column indices and row offsets.
  int64_t bytes() const {
    return static_cast<int64_t>(value.size() * sizeof(float) + col.size() * sizeof(int32_t) +
                                row_begin.size() * sizeof(int32_t));
  }
};

// CSR of kernel^T for a dense row-major kernel [in, out]; exact zeros are dropped.
CsrMatrix csr_from_dense_kernel(const float* kernel, int in, int out);

// y[n, out] = x[n, in] * W + bias (bias may be null). `w_transposed` is the CSR
// of W^T (rows = out, cols = in). `workspace` is reused between calls so a warm
// layer does not allocate.
void csr_dense_forward(const CsrMatrix& w_transposed, const float* x, int n, const float* bias, float* y,
                       std::vector<float>& workspace);

// Bytes of a dense float kernel with this many entries (for reports).
inline int64_t dense_kernel_bytes(int64_t entries) { return entries * static_cast<int64_t>(sizeof(float)); }

// Sparsity (fraction of exact zeros) from which a Dense layer's inference on
// `batch` samples runs the CSR kernel. Defaults, measured with
// bench/prune_bench (docs/BENCHMARKS.md, "Pruning"): natively 0.9 for batch 1
// (Eigen's AVX-512 GEMV is hard to beat) and 0.75 for batches; in WebAssembly
// 0.5 (its GEMM has a quarter of the width and no FMA).
float sparse_dense_threshold(int batch);
// One threshold for every batch size (benchmarks, tests); reset restores the defaults.
void set_sparse_dense_threshold(float sparsity);
void reset_sparse_dense_threshold();

}  // namespace distillery
