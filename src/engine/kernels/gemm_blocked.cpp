// Sections: block sizes; packing A; packing B; micro-kernels; the blocked driver.
#include "engine/kernels/gemm_blocked.h"

#include <algorithm>
#include <cassert>
#include <vector>

#include "engine/kernels/gemm_wasm_simd.h"

namespace distillery {
namespace {

// --- Block sizes ---------------------------------------------------------------
// kc x kMicroCols floats of B (8 KB at kc = 256) stay in L1 during one sweep
// over an A block; mc x kc floats of A (144 KB) and kc x nc of B (2 MB) stay
// in L2/L3. Chosen by measurement in bench/gemm_bench (see docs/BENCHMARKS.md).
constexpr int kBlockK = 256;
constexpr int kBlockM = 144;  // a multiple of kMicroRows
constexpr int kBlockN = 2048;  // a multiple of kMicroCols
static_assert(kBlockM % kMicroRows == 0 && kBlockN % kMicroCols == 0, "blocks hold whole micro-tiles");

// Workspaces grow to the largest block once per thread, then are reused: no
// allocation per call after warm-up.
thread_local std::vector<float> t_packed_a;
thread_local std::vector<float> t_packed_b;

// --- Packing A -------------------------------------------------------------------
// Packs rows [i0, i0 + rows) x columns [p0, p0 + depth) of op(A) into slivers
// of kMicroRows rows: sliver s holds, for each p, the kMicroRows values
// op(A)(i0 + s * kMicroRows + r, p0 + p), zero past the last row.
void pack_a(bool transpose_a, const float* a, int lda, int i0, int rows, int p0, int depth, float* out) {
  for (int s = 0; s < rows; s += kMicroRows) {
    const int live = std::min(kMicroRows, rows - s);
    if (transpose_a) {
      // Stored [k, m]: the kMicroRows values of one p are contiguous.
      const float* src = a + static_cast<long>(p0) * lda + i0 + s;
      for (int p = 0; p < depth; ++p, src += lda, out += kMicroRows) {
        int r = 0;
        for (; r < live; ++r) out[r] = src[r];
        for (; r < kMicroRows; ++r) out[r] = 0.0f;
      }
    } else {
      // Stored [m, k]: walk kMicroRows rows side by side.
      const float* rows_src[kMicroRows];
      for (int r = 0; r < kMicroRows; ++r)
        rows_src[r] = a + static_cast<long>(i0 + s + std::min(r, live - 1)) * lda + p0;
      if (live == kMicroRows) {
        for (int p = 0; p < depth; ++p, out += kMicroRows)
          for (int r = 0; r < kMicroRows; ++r) out[r] = rows_src[r][p];
      } else {
        for (int p = 0; p < depth; ++p, out += kMicroRows)
          for (int r = 0; r < kMicroRows; ++r) out[r] = r < live ? rows_src[r][p] : 0.0f;
      }
    }
  }
}

// --- Packing B -------------------------------------------------------------------
// Packs rows [p0, p0 + depth) x columns [j0, j0 + cols) of op(B) into slivers
// of kMicroCols columns: sliver s holds, for each p, the kMicroCols values
// op(B)(p0 + p, j0 + s * kMicroCols + c), zero past the last column.
void pack_b(bool transpose_b, const float* b, int ldb, int p0, int depth, int j0, int cols, float* out) {
  for (int s = 0; s < cols; s += kMicroCols) {
    const int live = std::min(kMicroCols, cols - s);
    if (!transpose_b) {
      // Stored [k, n]: the kMicroCols values of one p are contiguous.
      const float* src = b + static_cast<long>(p0) * ldb + j0 + s;
      if (live == kMicroCols) {
        for (int p = 0; p < depth; ++p, src += ldb, out += kMicroCols)
          for (int c = 0; c < kMicroCols; ++c) out[c] = src[c];
      } else {
        for (int p = 0; p < depth; ++p, src += ldb, out += kMicroCols)
          for (int c = 0; c < kMicroCols; ++c) out[c] = c < live ? src[c] : 0.0f;
      }
    } else {
      // Stored [n, k]: walk kMicroCols rows of storage side by side.
      const float* cols_src[kMicroCols];
      for (int c = 0; c < kMicroCols; ++c)
        cols_src[c] = b + static_cast<long>(j0 + s + std::min(c, live - 1)) * ldb + p0;
      for (int p = 0; p < depth; ++p, out += kMicroCols)
        for (int c = 0; c < kMicroCols; ++c) out[c] = c < live ? cols_src[c][p] : 0.0f;
    }
  }
}

// --- Micro-kernels ---------------------------------------------------------------
// c (kMicroRows x kMicroCols, row stride ldc) = alpha * packed A * packed B + beta * c.
#ifdef __wasm_simd128__
inline void micro_kernel(int kc, const float* a, const float* b, float alpha, float beta, float* c, int ldc) {
  micro_kernel_wasm_simd(kc, a, b, alpha, beta, c, ldc);
}
#else
// Portable reference: plain loops the compiler may vectorise. Natively the
// engine uses Eigen; this keeps the blocking testable off the web.
inline void micro_kernel(int kc, const float* a, const float* b, float alpha, float beta, float* c, int ldc) {
  float acc[kMicroRows][kMicroCols] = {};
  for (int p = 0; p < kc; ++p, a += kMicroRows, b += kMicroCols)
    for (int i = 0; i < kMicroRows; ++i)
      for (int j = 0; j < kMicroCols; ++j) acc[i][j] += a[i] * b[j];
  for (int i = 0; i < kMicroRows; ++i)
    for (int j = 0; j < kMicroCols; ++j) {
      float& out = c[i * ldc + j];
      out = beta == 0.0f ? alpha * acc[i][j] : alpha * acc[i][j] + beta * out;
    }
}
#endif

// A tile cut by the matrix edge: compute the whole tile into a scratch tile,
// then merge only the live part (beta == 0 never reads C).
void edge_tile(int kc, const float* a, const float* b, float alpha, float beta, float* c, int ldc, int rows,
               int cols) {
  float tile[kMicroRows * kMicroCols];
  micro_kernel(kc, a, b, alpha, 0.0f, tile, kMicroCols);
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j) {
      float& out = c[static_cast<long>(i) * ldc + j];
      out = beta == 0.0f ? tile[i * kMicroCols + j] : tile[i * kMicroCols + j] + beta * out;
    }
}

void scale_c(int m, int n, float beta, float* c, int ldc) {
  for (int i = 0; i < m; ++i) {
    float* row = c + static_cast<long>(i) * ldc;
    if (beta == 0.0f)
      std::fill(row, row + n, 0.0f);
    else
      for (int j = 0; j < n; ++j) row[j] *= beta;
  }
}

float* workspace(std::vector<float>& buffer, size_t floats) {
  if (buffer.size() < floats) buffer.resize(floats);
  return buffer.data();
}

}  // namespace

// --- The blocked driver --------------------------------------------------------------
GemmBlockedWorkspace gemm_blocked_workspace(int m, int n, int k) {
  const int kc_max = std::min(k, kBlockK);
  const int mc_max = std::min((m + kMicroRows - 1) / kMicroRows * kMicroRows, kBlockM);
  const int nc_max = std::min((n + kMicroCols - 1) / kMicroCols * kMicroCols, kBlockN);
  return {static_cast<size_t>(mc_max) * kc_max, static_cast<size_t>(nc_max) * kc_max};
}

void gemm_blocked(bool transpose_a, bool transpose_b, int m, int n, int k, float alpha, const float* a, int lda,
                  const float* b, int ldb, float beta, float* c, int ldc) {
  const GemmBlockedWorkspace need = gemm_blocked_workspace(m, n, k);
  gemm_blocked_in(workspace(t_packed_a, need.packed_a), workspace(t_packed_b, need.packed_b), transpose_a,
                  transpose_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void gemm_blocked_in(float* packed_a, float* packed_b, bool transpose_a, bool transpose_b, int m, int n, int k,
                     float alpha, const float* a, int lda, const float* b, int ldb, float beta, float* c, int ldc) {
  assert(m >= 0 && n >= 0 && k >= 0);
  if (m == 0 || n == 0) return;
  if (k == 0 || alpha == 0.0f) {
    if (beta != 1.0f) scale_c(m, n, beta, c, ldc);
    return;
  }

  for (int jc = 0; jc < n; jc += kBlockN) {
    const int nc = std::min(kBlockN, n - jc);
    for (int pc = 0; pc < k; pc += kBlockK) {
      const int kc = std::min(kBlockK, k - pc);
      // The first k slice applies beta; later slices accumulate onto it.
      const float beta_here = pc == 0 ? beta : 1.0f;
      pack_b(transpose_b, b, ldb, pc, kc, jc, nc, packed_b);
      for (int ic = 0; ic < m; ic += kBlockM) {
        const int mc = std::min(kBlockM, m - ic);
        pack_a(transpose_a, a, lda, ic, mc, pc, kc, packed_a);
        for (int jr = 0; jr < nc; jr += kMicroCols) {
          const int cols = std::min(kMicroCols, nc - jr);
          const float* b_sliver = packed_b + static_cast<long>(jr) * kc;
          for (int ir = 0; ir < mc; ir += kMicroRows) {
            const int rows = std::min(kMicroRows, mc - ir);
            const float* a_sliver = packed_a + static_cast<long>(ir) * kc;
            float* c_tile = c + static_cast<long>(ic + ir) * ldc + jc + jr;
            if (rows == kMicroRows && cols == kMicroCols)
              micro_kernel(kc, a_sliver, b_sliver, alpha, beta_here, c_tile, ldc);
            else
              edge_tile(kc, a_sliver, b_sliver, alpha, beta_here, c_tile, ldc, rows, cols);
          }
        }
      }
    }
  }
}

const char* gemm_blocked_kernel_name() {
#ifdef __wasm_simd128__
  return "wasm-simd128 4x8";
#else
  return "portable 4x8";
#endif
}

}  // namespace distillery
