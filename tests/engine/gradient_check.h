#pragma once
// Finite-difference gradient check for one layer, without a Model.
//
// The layer is built on the given per-sample shape and bound to buffers owned
// here; parameters and input are random (fixed seed). With a random upstream
// gradient u, the loss is L = sum(output * u) (accumulated in double), so
// backward(u) must give dL/dinput and ADD dL/dparams into the gradient slices.
// Each analytic value is compared with the central difference
// (L(v + eps) - L(v - eps)) / (actual step), element by element:
//   |analytic - numeric| <= relative_tolerance * max(|analytic|, |numeric|) + absolute_tolerance.
// Randomness inside the layer (dropout) comes from an Rng reseeded before every
// forward pass, so each pass sees the same mask.
//
//   EXPECT_TRUE(check_layer_gradients(layer, Shape{5, 5, 3}));
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "engine/core/rng.h"
#include "engine/core/tensor.h"
#include "engine/layers/layer.h"

namespace distillery {
namespace test {

struct GradientCheckOptions {
  int batch = 2;
  uint64_t seed = 1234;
  bool training = true;
  double epsilon = 1e-2;
  double relative_tolerance = 1e-2;
  double absolute_tolerance = 1e-3;
  // Inputs are uniform in [-1, 1]; those closer to 0 than this are pushed out
  // to it, to keep finite differences off the kink of relu-like layers.
  float min_input_magnitude = 0.0f;
  // Inputs become a shuffled ladder of distinct values 10 * epsilon apart, so no
  // step changes which value wins a max (max pooling).
  bool distinct_inputs = false;
};

namespace detail {

inline double weighted_sum(const Tensor& output, const Tensor& upstream) {
  double sum = 0.0;
  for (int64_t i = 0; i < output.size(); ++i) sum += static_cast<double>(output[i]) * upstream[i];
  return sum;
}

// Compares analytic with central differences of loss() over the values of one buffer.
template <typename Loss>
void compare_buffer(const std::string& what, float* values, const float* analytic, int64_t count, Loss&& loss,
                    const GradientCheckOptions& options, std::vector<std::string>& failures, double& max_numeric) {
  for (int64_t i = 0; i < count; ++i) {
    const float original = values[i];
    const float plus = original + static_cast<float>(options.epsilon);
    const float minus = original - static_cast<float>(options.epsilon);
    values[i] = plus;
    const double loss_plus = loss();
    values[i] = minus;
    const double loss_minus = loss();
    values[i] = original;
    const double numeric = (loss_plus - loss_minus) / (static_cast<double>(plus) - static_cast<double>(minus));
    const double exact = analytic[i];
    max_numeric = std::max(max_numeric, std::abs(numeric));
    const double allowed =
        options.relative_tolerance * std::max(std::abs(exact), std::abs(numeric)) + options.absolute_tolerance;
    if (std::abs(exact - numeric) > allowed && failures.size() < 8) {
      std::ostringstream message;
      message << what << "[" << i << "]: analytic " << exact << ", numeric " << numeric;
      failures.push_back(message.str());
    }
  }
}

}  // namespace detail

inline ::testing::AssertionResult check_layer_gradients(Layer& layer, const Shape& input_shape,
                                                        const GradientCheckOptions& options = {}) {
  const Shape output_shape = layer.build(input_shape);
  Rng rng(options.seed);

  // Parameters in buffers of our own, randomised beyond their (often zero-bias) initialisation.
  const std::vector<ParamSpec> specs = layer.param_specs();
  std::vector<std::vector<float>> values(specs.size()), grads(specs.size());
  std::vector<float*> value_ptrs, grad_ptrs;
  for (size_t p = 0; p < specs.size(); ++p) {
    values[p].resize(static_cast<size_t>(specs[p].shape.size()));
    grads[p].resize(values[p].size());
    value_ptrs.push_back(values[p].data());
    grad_ptrs.push_back(grads[p].data());
  }
  layer.bind(value_ptrs, grad_ptrs);
  layer.initialize(rng);
  for (auto& buffer : values)
    for (float& v : buffer) v = rng.uniform(-1.0f, 1.0f);

  Tensor input(input_shape.with_batch(options.batch));
  for (int64_t i = 0; i < input.size(); ++i) {
    float v = rng.uniform(-1.0f, 1.0f);
    if (std::abs(v) < options.min_input_magnitude) v = v < 0 ? -options.min_input_magnitude : options.min_input_magnitude;
    input[i] = v;
  }
  if (options.distinct_inputs) {
    std::vector<float> ladder(static_cast<size_t>(input.size()));
    for (size_t i = 0; i < ladder.size(); ++i)
      ladder[i] = static_cast<float>((static_cast<double>(i) - ladder.size() / 2.0) * 10.0 * options.epsilon);
    rng.shuffle(ladder);
    std::copy(ladder.begin(), ladder.end(), input.data());
  }

  const uint64_t layer_seed = options.seed + 1;
  Rng layer_rng(layer_seed);
  layer.set_rng(&layer_rng);
  Tensor output;
  auto run_forward = [&] {
    layer_rng.reseed(layer_seed);
    layer.forward(input, output, options.training);
  };

  // Analytic pass first, so the state backward() relies on (masks, argmax) is the unperturbed one.
  run_forward();
  if (output.shape() != output_shape.with_batch(options.batch))
    return ::testing::AssertionFailure() << layer.type() << ": forward gave " << output.shape().str() << ", build said "
                                         << output_shape.with_batch(options.batch).str();
  Tensor upstream(output.shape());
  for (int64_t i = 0; i < upstream.size(); ++i) upstream[i] = rng.uniform(-1.0f, 1.0f);
  const float prefill = 0.25f;  // backward() must add to what is there
  for (auto& buffer : grads) std::fill(buffer.begin(), buffer.end(), prefill);
  Tensor grad_input;
  layer.backward(input, output, upstream, grad_input);
  if (grad_input.shape() != input.shape())
    return ::testing::AssertionFailure() << layer.type() << ": grad_input is " << grad_input.shape().str()
                                         << ", the input " << input.shape().str();
  for (auto& buffer : grads)
    for (float& g : buffer) g -= prefill;

  auto loss = [&] {
    run_forward();
    return detail::weighted_sum(output, upstream);
  };
  std::vector<std::string> failures;
  double max_input_numeric = 0.0, max_param_numeric = 0.0;
  detail::compare_buffer("input", input.data(), grad_input.data(), input.size(), loss, options, failures,
                         max_input_numeric);
  for (size_t p = 0; p < specs.size(); ++p)
    detail::compare_buffer(specs[p].name, values[p].data(), grads[p].data(), static_cast<int64_t>(values[p].size()),
                           loss, options, failures, max_param_numeric);
  layer.set_rng(nullptr);

  if (max_input_numeric == 0.0) failures.push_back("the loss does not depend on the input at all");
  if (!specs.empty() && max_param_numeric == 0.0) failures.push_back("the loss does not depend on the parameters");
  if (failures.empty()) return ::testing::AssertionSuccess();
  ::testing::AssertionResult result = ::testing::AssertionFailure();
  result << layer.type() << " on " << input_shape.str() << ": gradients differ from finite differences";
  for (const auto& f : failures) result << "\n  " << f;
  return result;
}

}  // namespace test
}  // namespace distillery
