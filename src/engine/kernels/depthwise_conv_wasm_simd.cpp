#include "engine/kernels/depthwise_conv_wasm_simd.h"

#ifdef __wasm_simd128__

#include <wasm_simd128.h>

#include "engine/kernels/depthwise_conv_loops.h"

namespace distillery {
namespace {

struct SimdOps {
  // acc[c] += a[c] * b[c]: f32x4 for the first n - n % 4, then one at a time.
  static inline void madd(float* acc, const float* a, const float* b, int n) {
    int c = 0;
    for (; c + 4 <= n; c += 4)
      wasm_v128_store(acc + c, wasm_f32x4_add(wasm_v128_load(acc + c),
                                              wasm_f32x4_mul(wasm_v128_load(a + c), wasm_v128_load(b + c))));
    for (; c < n; ++c) acc[c] += a[c] * b[c];
  }
};

}  // namespace

void depthwise_forward_sample_wasm_simd(const float* image, const WindowGeometry& g, const float* kernel,
                                        const float* bias, float* out) {
  depthwise_loops::forward_sample<SimdOps>(image, g, kernel, bias, out);
}

void depthwise_kernel_gradient_sample_wasm_simd(const float* image, const float* grad_out, const WindowGeometry& g,
                                                float* kernel_grad) {
  depthwise_loops::kernel_gradient_sample<SimdOps>(image, grad_out, g, kernel_grad);
}

void depthwise_input_gradient_sample_wasm_simd(const float* grad_out, const WindowGeometry& g, const float* kernel,
                                               float* grad_image) {
  depthwise_loops::input_gradient_sample<SimdOps>(grad_out, g, kernel, grad_image);
}

}  // namespace distillery

#endif
