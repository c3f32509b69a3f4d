#include "engine/layers/dropout.h"

#include <algorithm>

#include "engine/core/error.h"
#include "engine/layers/layer_registry.h"

namespace distillery {

Dropout::Dropout(const nlohmann::json& config) : Dropout(config_value<float>(config, "rate")) {}

Dropout::Dropout(float rate) : rate_(rate) {
  // The negated test also rejects NaN.
  require(rate >= 0.0f && rate < 1.0f, "dropout: \"rate\" must be in [0, 1), got " + std::to_string(rate));
}

Shape Dropout::build(const Shape& input_shape) {
  require(input_shape.rank() >= 1 && input_shape.size() > 0,
          "dropout expects a non-empty input but got " + input_shape.str());
  input_shape_ = output_shape_ = input_shape;
  return output_shape_;
}

void Dropout::forward(const Tensor& input, Tensor& output, bool training) {
  output.resize(input.shape());
  if (!training || rate_ == 0.0f) {
    mask_.clear();
    std::copy(input.data(), input.data() + input.size(), output.data());
    return;
  }
  Rng& rng = rng_ ? *rng_ : own_rng_;
  const float keep_scale = 1.0f / (1.0f - rate_);
  mask_.resize(static_cast<size_t>(input.size()));
  for (int64_t i = 0; i < input.size(); ++i) {
    mask_[i] = rng.uniform() < rate_ ? 0.0f : keep_scale;
    output[i] = input[i] * mask_[i];
  }
}

void Dropout::backward(const Tensor& input, const Tensor& /*output*/, const Tensor& grad_output, Tensor& grad_input) {
  grad_input.resize(input.shape());
  if (mask_.empty()) {  // the last forward was the identity
    std::copy(grad_output.data(), grad_output.data() + grad_output.size(), grad_input.data());
    return;
  }
  for (int64_t i = 0; i < grad_output.size(); ++i) grad_input[i] = grad_output[i] * mask_[i];
}

}  // namespace distillery
