#pragma once
// A cache-blocked GEMM with packed panels, the Goto/BLIS way: the WebAssembly
// build's matrix product (Eigen 3.4 has no WebAssembly SIMD path).
//
//   for each nc-wide column block of B          (packed B block stays in L2)
//     for each kc-deep slice of k               (packed once, reused for all of m)
//       for each mc-tall row block of A         (packed A block stays in L2)
//         for each kMicroCols x kMicroRows tile: one micro-kernel call
//                                               (a kc x NR sliver of B stays in L1)
//
// Packing copies each operand into the exact order the micro-kernel reads,
// padded with zeros to whole tiles, so the four transpose combinations, any
// leading dimension and any size reach the same inner loop. Under
// __wasm_simd128__ the micro-kernel is hand-written with <wasm_simd128.h>
// (gemm_wasm_simd.cpp); elsewhere a portable one runs, so the blocking and
// packing logic are tested natively too.
#include <cstddef>

namespace distillery {

// Micro-tile: kMicroRows rows of C by kMicroCols columns, held in registers.
// 4x8 = 8 f32x4 accumulators + 2 B vectors + 1 A broadcast + 1 product
// temporary. Measured in Node 20 (V8 on x86-64, CPU time, L1-resident panels):
// 4x8 45 GFLOP/s, 4x12 41, 3x12 (unrolled) 40, 5x8 39, 6x8 38, 8x4 28. 6x8
// needs 16 vector registers and V8 keeps one as scratch, so one accumulator
// spills to the stack.
constexpr int kMicroRows = 4;
constexpr int kMicroCols = 8;

// Same contract as gemm() (engine/kernels/gemm.h), single-threaded.
void gemm_blocked(bool transpose_a, bool transpose_b, int m, int n, int k, float alpha, const float* a, int lda,
                  const float* b, int ldb, float beta, float* c, int ldc);

// The same with the packing workspaces given (at least gemm_blocked_workspace()
// floats each), for callers that own them; the overload above uses buffers of
// the calling thread that grow as needed.
void gemm_blocked_in(float* packed_a, float* packed_b, bool transpose_a, bool transpose_b, int m, int n, int k,
                     float alpha, const float* a, int lda, const float* b, int ldb, float beta, float* c, int ldc);
struct GemmBlockedWorkspace {
  size_t packed_a = 0, packed_b = 0;  // floats
};
GemmBlockedWorkspace gemm_blocked_workspace(int m, int n, int k);

// Which micro-kernel this build runs, for benchmark reports.
const char* gemm_blocked_kernel_name();

}  // namespace distillery
