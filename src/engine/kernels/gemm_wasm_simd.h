#pragma once
// The WebAssembly SIMD micro-kernel of gemm_blocked (only built with
// -msimd128). WebAssembly has no FMA, so each step is an f32x4 multiply and
// an f32x4 add; the tile is as large as the x86-64 register file allows.
#ifdef __wasm_simd128__

namespace distillery {

// c[kMicroRows x kMicroCols] (row stride ldc) = alpha * A_panel * B_panel + beta * c.
// a: kc groups of kMicroRows values (one packed column of A per step);
// b: kc groups of kMicroCols values. beta == 0 writes c without reading it.
void micro_kernel_wasm_simd(int kc, const float* a, const float* b, float alpha, float beta, float* c, int ldc);

}  // namespace distillery

#endif
