// Same inputs, same bias gradient bits, wherever the gradient buffer sits in
// memory. Eigen's colwise().sum() summed the columns outside the destination's
// SIMD alignment in another order than the rest, so the same seed trained a
// slightly different model whenever the heap placed the flat buffer elsewhere
// (e.g. under another machine load): bench/fashion_distill.sh saw it.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "engine/core/rng.h"
#include "engine/core/tensor.h"
#include "engine/layers/layer_registry.h"

namespace distillery {
namespace {

// Backward of a fresh layer whose parameters and gradients start `shift` floats
// into their buffers; returns the bias gradient.
std::vector<float> bias_gradient(const nlohmann::json& config, const Shape& sample, int batch, int shift) {
  LayerPtr layer = LayerRegistry::instance().create(config);
  const Shape out_shape = layer->build(sample);
  const std::vector<ParamSpec> specs = layer->param_specs();
  std::vector<std::vector<float>> values, grads;
  std::vector<float*> value_ptrs, grad_ptrs;
  for (const ParamSpec& spec : specs) {
    values.emplace_back(static_cast<size_t>(spec.shape.size() + shift), 0.0f);
    grads.emplace_back(static_cast<size_t>(spec.shape.size() + shift), 0.0f);
  }
  for (size_t p = 0; p < specs.size(); ++p) {
    value_ptrs.push_back(values[p].data() + shift);
    grad_ptrs.push_back(grads[p].data() + shift);
  }
  layer->bind(value_ptrs, grad_ptrs);
  Rng init(3);
  layer->initialize(init);

  Rng data(11);
  Tensor input(sample.with_batch(batch)), grad_output(out_shape.with_batch(batch)), output, grad_input;
  for (int64_t i = 0; i < input.size(); ++i) input[i] = data.uniform(-1.0f, 1.0f);
  for (int64_t i = 0; i < grad_output.size(); ++i) grad_output[i] = data.uniform(-1.0f, 1.0f);
  layer->forward(input, output, true);
  layer->backward(input, output, grad_output, grad_input);
  const float* bias = grad_ptrs.back();
  return std::vector<float>(bias, bias + specs.back().shape.size());
}

void expect_same_bits_at_every_shift(const nlohmann::json& config, const Shape& sample, int batch) {
  const std::vector<float> reference = bias_gradient(config, sample, batch, 0);
  for (int shift = 1; shift < 16; ++shift) {
    const std::vector<float> shifted = bias_gradient(config, sample, batch, shift);
    ASSERT_EQ(shifted.size(), reference.size());
    EXPECT_EQ(std::memcmp(shifted.data(), reference.data(), reference.size() * sizeof(float)), 0)
        << config.dump() << ": bias gradient bits change when the buffer starts " << shift << " floats later";
  }
}

TEST(BiasGradientAlignment, DenseBiasGradientDoesNotDependOnWhereTheBufferIs) {
  expect_same_bits_at_every_shift({{"type", "dense"}, {"units", 40}}, Shape{8}, 64);
}

TEST(BiasGradientAlignment, Conv2dBiasGradientDoesNotDependOnWhereTheBufferIs) {
  expect_same_bits_at_every_shift({{"type", "conv2d"}, {"filters", 40}, {"kernel_size", 3}, {"padding", "same"}},
                                  Shape{5, 5, 2}, 8);
}

}  // namespace
}  // namespace distillery
