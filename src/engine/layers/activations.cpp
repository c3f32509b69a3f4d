#include "engine/layers/activations.h"

#include <cmath>

#include "engine/core/error.h"
#include "engine/kernels/thread_pool.h"
#include "engine/layers/layer_registry.h"

namespace distillery {

// --- Shared bookkeeping ---------------------------------------------------------

Shape ElementwiseActivation::build(const Shape& input_shape) {
  require(input_shape.rank() >= 1 && input_shape.size() > 0,
          type() + " expects a non-empty input but got " + input_shape.str());
  input_shape_ = output_shape_ = input_shape;
  return output_shape_;
}

// Element ranges over the pool: each element is independent, so any number of
// threads gives the same bits.
constexpr int64_t kElementsPerTask = 16384;

void ElementwiseActivation::forward(const Tensor& input, Tensor& output, bool /*training*/) {
  output.resize(input.shape());
  parallel_for(0, input.size(), kElementsPerTask, [&](int64_t begin, int64_t end) {
    apply(input.data() + begin, output.data() + begin, end - begin);
  });
}

void ElementwiseActivation::backward(const Tensor& input, const Tensor& output, const Tensor& grad_output,
                                     Tensor& grad_input) {
  grad_input.resize(input.shape());
  parallel_for(0, input.size(), kElementsPerTask, [&](int64_t begin, int64_t end) {
    gradient(input.data() + begin, output.data() + begin, grad_output.data() + begin, grad_input.data() + begin,
             end - begin);
  });
}

// --- relu ----------------------------------------------------------------------

void ReLU::apply(const float* x, float* y, int64_t n) const {
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

void ReLU::gradient(const float* x, const float*, const float* dy, float* dx, int64_t n) const {
  for (int64_t i = 0; i < n; ++i) dx[i] = x[i] > 0.0f ? dy[i] : 0.0f;
}

// --- leaky_relu ----------------------------------------------------------------

LeakyReLU::LeakyReLU(float alpha) : alpha_(alpha) {
  require(std::isfinite(alpha_), "leaky_relu: \"alpha\" must be a finite number");
}

LeakyReLU::LeakyReLU(const nlohmann::json& config)
    : LeakyReLU(config.contains("alpha") || !config.contains("negative_slope")
                    ? config_value<float>(config, "alpha", 0.3f)
                    : config_value<float>(config, "negative_slope")) {}

void LeakyReLU::apply(const float* x, float* y, int64_t n) const {
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] > 0.0f ? x[i] : alpha_ * x[i];
}

void LeakyReLU::gradient(const float* x, const float*, const float* dy, float* dx, int64_t n) const {
  for (int64_t i = 0; i < n; ++i) dx[i] = x[i] > 0.0f ? dy[i] : alpha_ * dy[i];
}

// --- sigmoid -------------------------------------------------------------------

void Sigmoid::apply(const float* x, float* y, int64_t n) const {
  for (int64_t i = 0; i < n; ++i) y[i] = 1.0f / (1.0f + std::exp(-x[i]));
}

void Sigmoid::gradient(const float*, const float* y, const float* dy, float* dx, int64_t n) const {
  for (int64_t i = 0; i < n; ++i) dx[i] = dy[i] * y[i] * (1.0f - y[i]);
}

// --- tanh ----------------------------------------------------------------------

void Tanh::apply(const float* x, float* y, int64_t n) const {
  for (int64_t i = 0; i < n; ++i) y[i] = std::tanh(x[i]);
}

void Tanh::gradient(const float*, const float* y, const float* dy, float* dx, int64_t n) const {
  for (int64_t i = 0; i < n; ++i) dx[i] = dy[i] * (1.0f - y[i] * y[i]);
}

}  // namespace distillery
