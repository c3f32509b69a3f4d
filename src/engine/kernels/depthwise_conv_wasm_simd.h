#pragma once
// The WebAssembly SIMD depthwise convolution (only built with -msimd128): the
// loops of depthwise_conv_loops.h on f32x4 over the channels (a multiply and an
// add, WebAssembly has no FMA), the scalar tail for C % 4. depthwise_conv.cpp
// calls these instead of its plain loops when compiled for SIMD.
#ifdef __wasm_simd128__

#include "engine/kernels/im2col.h"

namespace distillery {

void depthwise_forward_sample_wasm_simd(const float* image, const WindowGeometry& g, const float* kernel,
                                        const float* bias, float* out);
void depthwise_kernel_gradient_sample_wasm_simd(const float* image, const float* grad_out, const WindowGeometry& g,
                                                float* kernel_grad);
void depthwise_input_gradient_sample_wasm_simd(const float* grad_out, const WindowGeometry& g, const float* kernel,
                                               float* grad_image);

}  // namespace distillery

#endif
