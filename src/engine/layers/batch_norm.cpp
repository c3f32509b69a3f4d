#include "engine/layers/batch_norm.h"

#include <algorithm>
#include <cmath>

#include "engine/core/error.h"
#include "engine/layers/layer_registry.h"
#include "engine/io/tfjs_dialect.h"
#include "engine/model/arch_token.h"

namespace distillery {

BatchNorm::BatchNorm(const nlohmann::json& config)
    : momentum_(config_value<float>(config, "momentum", 0.99f)),
      epsilon_(config_value<float>(config, "epsilon", 1e-3f)),
      center_(config_value<bool>(config, "center", true)),
      scale_(config_value<bool>(config, "scale", true)) {
  require(momentum_ >= 0.0f && momentum_ <= 1.0f,
          "batch_norm: momentum must be in [0, 1], got " + std::to_string(momentum_));
  require(epsilon_ > 0.0f && std::isfinite(epsilon_), "batch_norm: epsilon must be positive, got " +
                                                          std::to_string(epsilon_));
}

nlohmann::json BatchNorm::config() const {
  return {{"type", type()}, {"momentum", momentum_}, {"epsilon", epsilon_}, {"center", center_}, {"scale", scale_}};
}

Shape BatchNorm::build(const Shape& input_shape) {
  require(input_shape.rank() >= 1 && input_shape.size() > 0,
          "batch_norm expects a non-empty input but got " + input_shape.str());
  input_shape_ = input_shape;
  output_shape_ = input_shape;
  channels_ = input_shape[input_shape.rank() - 1];
  return output_shape_;
}

std::vector<ParamSpec> BatchNorm::param_specs() const {
  const Shape c{channels_};
  std::vector<ParamSpec> specs;
  if (scale_) specs.push_back({"gamma", c, false});
  if (center_) specs.push_back({"beta", c, false});
  specs.push_back({"moving_mean", c, false, false});
  specs.push_back({"moving_variance", c, false, false});
  return specs;
}

void BatchNorm::bind(const std::vector<float*>& params, const std::vector<float*>& grads) {
  size_t k = 0;
  gamma_ = scale_ ? params[k] : nullptr;
  gamma_grad_ = scale_ ? grads[k] : nullptr;
  k += scale_ ? 1 : 0;
  beta_ = center_ ? params[k] : nullptr;
  beta_grad_ = center_ ? grads[k] : nullptr;
  k += center_ ? 1 : 0;
  moving_mean_ = params[k];
  moving_mean_grad_ = grads[k];
  moving_variance_ = params[k + 1];
  moving_variance_grad_ = grads[k + 1];
}

void BatchNorm::initialize(Rng& /*rng*/) {
  // Keras' initialisers: gamma ones, beta zeros, moving mean 0, moving variance 1.
  if (gamma_) std::fill(gamma_, gamma_ + channels_, 1.0f);
  if (beta_) std::fill(beta_, beta_ + channels_, 0.0f);
  std::fill(moving_mean_, moving_mean_ + channels_, 0.0f);
  std::fill(moving_variance_, moving_variance_ + channels_, 1.0f);
}

void BatchNorm::forward(const Tensor& input, Tensor& output, bool training) {
  const int c_count = channels_;
  const int64_t rows = input.size() / c_count;  // samples x positions
  const float* x = input.data();
  mean_.assign(static_cast<size_t>(c_count), 0.0f);
  inv_std_.assign(static_cast<size_t>(c_count), 0.0f);
  last_forward_training_ = training;

  if (training) {
    std::vector<double>& sum = sum_a_;
    std::vector<double>& sum_sq = sum_b_;
    sum.assign(static_cast<size_t>(c_count), 0.0);
    sum_sq.assign(static_cast<size_t>(c_count), 0.0);
    for (int64_t r = 0; r < rows; ++r)
      for (int c = 0; c < c_count; ++c) sum[c] += x[r * c_count + c];
    for (int c = 0; c < c_count; ++c) mean_[c] = static_cast<float>(sum[c] / static_cast<double>(rows));
    for (int64_t r = 0; r < rows; ++r)
      for (int c = 0; c < c_count; ++c) {
        const double d = x[r * c_count + c] - mean_[c];
        sum_sq[c] += d * d;
      }
    for (int c = 0; c < c_count; ++c) {
      const float variance = static_cast<float>(sum_sq[c] / static_cast<double>(rows));
      inv_std_[c] = 1.0f / std::sqrt(variance + epsilon_);
      moving_mean_[c] = momentum_ * moving_mean_[c] + (1.0f - momentum_) * mean_[c];
      moving_variance_[c] = momentum_ * moving_variance_[c] + (1.0f - momentum_) * variance;
    }
  } else {
    for (int c = 0; c < c_count; ++c) {
      mean_[c] = moving_mean_[c];
      inv_std_[c] = 1.0f / std::sqrt(moving_variance_[c] + epsilon_);
    }
  }

  output.resize(input.shape());
  float* y = output.data();
  for (int64_t r = 0; r < rows; ++r)
    for (int c = 0; c < c_count; ++c) {
      const int64_t i = r * c_count + c;
      y[i] = (x[i] - mean_[c]) * inv_std_[c] * gamma(c) + (beta_ ? beta_[c] : 0.0f);
    }
}

void BatchNorm::backward(const Tensor& input, const Tensor& /*output*/, const Tensor& grad_output,
                         Tensor& grad_input) {
  const int c_count = channels_;
  const int64_t rows = input.size() / c_count;
  const float* x = input.data();
  const float* dy = grad_output.data();
  // Per channel: sum(dy) and sum(dy * x_hat) feed gamma, beta and the input gradient alike.
  std::vector<double>& sum_dy = sum_a_;
  std::vector<double>& sum_dy_xhat = sum_b_;
  sum_dy.assign(static_cast<size_t>(c_count), 0.0);
  sum_dy_xhat.assign(static_cast<size_t>(c_count), 0.0);
  for (int64_t r = 0; r < rows; ++r)
    for (int c = 0; c < c_count; ++c) {
      const int64_t i = r * c_count + c;
      sum_dy[c] += dy[i];
      sum_dy_xhat[c] += static_cast<double>(dy[i]) * (x[i] - mean_[c]) * inv_std_[c];
    }
  for (int c = 0; c < c_count; ++c) {
    if (gamma_grad_) gamma_grad_[c] += static_cast<float>(sum_dy_xhat[c]);
    if (beta_grad_) beta_grad_[c] += static_cast<float>(sum_dy[c]);
  }

  grad_input.resize(input.shape());
  float* dx = grad_input.data();
  if (last_forward_training_) {
    // The batch statistics depend on every input of the channel:
    // dx = gamma * inv_std / M * (M * dy - sum(dy) - x_hat * sum(dy * x_hat)).
    const double m = static_cast<double>(rows);
    for (int64_t r = 0; r < rows; ++r)
      for (int c = 0; c < c_count; ++c) {
        const int64_t i = r * c_count + c;
        const double x_hat = (x[i] - mean_[c]) * static_cast<double>(inv_std_[c]);
        dx[i] = static_cast<float>(gamma(c) * inv_std_[c] / m * (m * dy[i] - sum_dy[c] - x_hat * sum_dy_xhat[c]));
      }
    return;  // the moving statistics did not shape this output: their gradient is zero
  }
  // Inference statistics are constants of the input.
  for (int64_t r = 0; r < rows; ++r)
    for (int c = 0; c < c_count; ++c) {
      const int64_t i = r * c_count + c;
      dx[i] = dy[i] * gamma(c) * inv_std_[c];
    }
  for (int c = 0; c < c_count; ++c) {
    const double g = gamma(c), s = inv_std_[c];
    moving_mean_grad_[c] += static_cast<float>(-g * s * sum_dy[c]);
    // d/dv of (x - m) * (v + eps)^-1/2 is -1/2 (x - m) (v + eps)^-3/2 = -1/2 x_hat s^2.
    moving_variance_grad_[c] += static_cast<float>(-0.5 * g * s * s * sum_dy_xhat[c]);
  }
}

LayerKind batch_norm_kind() {
  LayerKind kind;
  kind.type = "batch_norm";
  kind.create = construct_layer<BatchNorm>;
  kind.channels = ChannelFlow::per_channel;
  kind.tfjs_classes = {"BatchNormalization"};
  kind.from_tfjs = [](const TfjsSource& source, TfjsTarget& target) {
    // Only the last (channel) axis: -1, or its index counting the batch axis.
    nlohmann::json axis = source.config.value("axis", nlohmann::json(-1));
    if (axis.is_array() && axis.size() == 1) axis = axis[0];
    const bool last_axis =
        axis.is_number_integer() && (axis.get<int>() == -1 || axis.get<int>() == target.input_rank());
    require(last_axis, source.label() + ": axis " + axis.dump() + " is not supported (only the last, channel, axis)");
    target.add({{"type", "batch_norm"},
                {"momentum", source.field<double>("momentum", 0.99)},
                {"epsilon", source.field<double>("epsilon", 1e-3)},
                {"center", source.field<bool>("center", true)},
                {"scale", source.field<bool>("scale", true)}});
  };
  kind.to_tfjs = [](const nlohmann::json& config) {
    TfjsLayer layer{"BatchNormalization", "batch_normalization", {}};
    nlohmann::ordered_json& c = layer.config;
    c["axis"] = -1;
    c["momentum"] = tfjs_float(config["momentum"]);
    c["epsilon"] = tfjs_float(config["epsilon"]);
    c["center"] = config["center"];
    c["scale"] = config["scale"];
    return layer;
  };
  // Keras' defaults, on an image or a flat vector; other settings come from JSON
  // architectures and are described by the type name.
  kind.arch_tokens = {"bn"};
  kind.from_arch = [](ArchToken& token) {
    token.require_parts(1, 1, "bn");
    token.add({{"type", "batch_norm"}});
  };
  kind.to_arch = [](const nlohmann::json& config) {
    const BatchNorm defaults(nlohmann::json{{"type", "batch_norm"}});
    const bool plain = config.value("momentum", defaults.momentum()) == defaults.momentum() &&
                       config.value("epsilon", defaults.epsilon()) == defaults.epsilon() &&
                       config.value("center", true) && config.value("scale", true);
    return std::string(plain ? "bn" : "batch_norm");
  };
  return kind;
}

}  // namespace distillery
