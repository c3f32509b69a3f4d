#include "engine/kernels/depthwise_conv.h"

#include "engine/kernels/depthwise_conv_loops.h"
#include "engine/kernels/depthwise_conv_wasm_simd.h"
#include "engine/kernels/thread_pool.h"

namespace distillery {
namespace {

struct PlainOps {
  // acc[c] += a[c] * b[c]; restrict lets the compiler vectorise it (the three never overlap).
  static inline void madd(float* __restrict acc, const float* __restrict a, const float* __restrict b, int n) {
    for (int c = 0; c < n; ++c) acc[c] += a[c] * b[c];
  }
};

void forward_sample(const float* image, const WindowGeometry& g, const float* kernel, const float* bias, float* out) {
#ifdef __wasm_simd128__
  depthwise_forward_sample_wasm_simd(image, g, kernel, bias, out);
#else
  depthwise_loops::forward_sample<PlainOps>(image, g, kernel, bias, out);
#endif
}

void kernel_gradient_sample(const float* image, const float* grad_out, const WindowGeometry& g, float* kernel_grad) {
#ifdef __wasm_simd128__
  depthwise_kernel_gradient_sample_wasm_simd(image, grad_out, g, kernel_grad);
#else
  depthwise_loops::kernel_gradient_sample<PlainOps>(image, grad_out, g, kernel_grad);
#endif
}

void input_gradient_sample(const float* grad_out, const WindowGeometry& g, const float* kernel, float* grad_image) {
#ifdef __wasm_simd128__
  depthwise_input_gradient_sample_wasm_simd(grad_out, g, kernel, grad_image);
#else
  depthwise_loops::input_gradient_sample<PlainOps>(grad_out, g, kernel, grad_image);
#endif
}

}  // namespace

void depthwise_conv_forward(const float* images, int count, const WindowGeometry& g, const float* kernel,
                            const float* bias, float* out) {
  const int64_t out_size = g.positions() * g.channels;
  parallel_for(0, count, 1, [&](int64_t begin, int64_t end) {
    for (int64_t s = begin; s < end; ++s) forward_sample(images + s * g.image_size(), g, kernel, bias, out + s * out_size);
  });
}

void depthwise_conv_kernel_gradient(const float* images, const float* grad_out, int count, const WindowGeometry& g,
                                    float* kernel_grad) {
  const int64_t out_size = g.positions() * g.channels;
  for (int s = 0; s < count; ++s)
    kernel_gradient_sample(images + s * g.image_size(), grad_out + s * out_size, g, kernel_grad);
}

void depthwise_conv_input_gradient(const float* grad_out, int count, const WindowGeometry& g, const float* kernel,
                                   float* grad_images) {
  const int64_t out_size = g.positions() * g.channels;
  parallel_for(0, count, 1, [&](int64_t begin, int64_t end) {
    for (int64_t s = begin; s < end; ++s)
      input_gradient_sample(grad_out + s * out_size, g, kernel, grad_images + s * g.image_size());
  });
}

}  // namespace distillery
