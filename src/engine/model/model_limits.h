#pragma once
// Size limits for models built from untrusted input (a model file, a JSON or
// text architecture, a TF.js import). Model::build checks them layer by layer
// BEFORE any weight buffer is allocated, so "units": 1000000000 or a 4096x4096
// kernel ends in an Error naming the layer instead of running out of memory.
// The values suit the browser build (at most 4 GB of wasm memory): a model at
// the parameter limit holds 256 MB of weights, and as much again in
// gradients, masks and each optimiser moment.
#include <cstdint>

#include "engine/core/shape.h"

namespace distillery {

class Layer;

constexpr int kMaxModelLayers = 1000;
constexpr int64_t kMaxModelParameters = int64_t(1) << 26;     // 67,108,864 weights in all
constexpr int64_t kMaxSampleActivations = int64_t(1) << 24;   // 16,777,216 values per sample in one layer output
                                                              // (or one convolution's im2col patches)

// Elements of `shape`, computed without overflow: any value above `cap` is
// returned as cap + 1 (and a non-positive dimension gives 0).
int64_t capped_elements(const Shape& shape, int64_t cap);

// The model input: rank 1..3 and at most kMaxSampleActivations values.
void check_model_input_limits(const Shape& input_shape);
void check_model_layer_count(int count);
// After layer->build(): its output size, its convolution workspace and its
// weights, adding them to total_parameters (throws past kMaxModelParameters).
void check_layer_limits(const Layer& layer, const Shape& output_shape, int64_t& total_parameters);

}  // namespace distillery
