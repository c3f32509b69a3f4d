#pragma once
// Depthwise 2-D convolution over NHWC images: channel c of the output is
// channel c of the input convolved with its own kh x kw filter (a depth
// multiplier of 1). Kernel [kh, kw, C] (Keras' [kh, kw, C, 1]), TF padding
// through WindowGeometry. There is no im2col: each output pixel is a sum over
// its window's taps of input pixel * filter tap, done a whole channel vector at
// a time (the innermost loop, contiguous in NHWC), so it vectorises; under
// WebAssembly SIMD it runs on f32x4 (depthwise_conv_wasm_simd.cpp).
//
// Samples are independent, so the forward and the input gradient go over the
// thread pool by sample; the kernel gradient sums over samples in one fixed
// order, so any number of threads gives the same bits.
#include "engine/kernels/im2col.h"

namespace distillery {

// out[count, out_h, out_w, C] = depthwise(images) + bias (bias may be null).
void depthwise_conv_forward(const float* images, int count, const WindowGeometry& g, const float* kernel,
                            const float* bias, float* out);

// ADDS d(loss)/d(kernel) [kh, kw, C] for the given input and output gradient.
void depthwise_conv_kernel_gradient(const float* images, const float* grad_out, int count, const WindowGeometry& g,
                                    float* kernel_grad);

// Writes d(loss)/d(images) (overwrites grad_images).
void depthwise_conv_input_gradient(const float* grad_out, int count, const WindowGeometry& g, const float* kernel,
                                   float* grad_images);

}  // namespace distillery
