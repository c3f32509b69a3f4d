#pragma once
// BatchNorm: Keras' BatchNormalization over the last axis (the channels of an
// NHWC image, the features of a flat vector).
//
//   inference: y = (x - moving_mean) / sqrt(moving_variance + epsilon) * gamma + beta
//   training:  the same with the batch's own mean and (biased) variance, and
//              moving_* <- momentum * moving_* + (1 - momentum) * batch statistic
//
// gamma and beta are trained like any weight; moving_mean and moving_variance
// are ParamSpec::trainable = false, so the optimiser never steps them (and
// pruning never touches any of the four). backward() still writes their true
// gradients (zero after a training forward), which keeps the layer honest
// under a finite-difference check; nothing applies them.
// A backward after an inference forward treats the statistics as constants
// (a frozen BatchNorm, as Keras fine-tunes with training=False).
//
// Config: {"type": "batch_norm", "momentum": 0.99, "epsilon": 0.001,
//          "center": true (has beta), "scale": true (has gamma)}
#include <vector>

#include "engine/layers/layer.h"
#include "engine/layers/layer_kind.h"

namespace distillery {

class BatchNorm : public Layer {
 public:
  explicit BatchNorm(const nlohmann::json& config);

  std::string type() const override { return "batch_norm"; }
  nlohmann::json config() const override;
  Shape build(const Shape& input_shape) override;
  std::vector<ParamSpec> param_specs() const override;
  void bind(const std::vector<float*>& params, const std::vector<float*>& grads) override;
  void initialize(Rng& rng) override;
  void forward(const Tensor& input, Tensor& output, bool training) override;
  void backward(const Tensor& input, const Tensor& output, const Tensor& grad_output, Tensor& grad_input) override;
  int64_t flops_per_sample() const override { return 2 * input_shape_.size(); }

  int channels() const { return channels_; }
  float momentum() const { return momentum_; }
  float epsilon() const { return epsilon_; }
  bool center() const { return center_; }
  bool scale() const { return scale_; }

 private:
  float gamma(int c) const { return gamma_ ? gamma_[c] : 1.0f; }

  float momentum_ = 0.99f;
  float epsilon_ = 1e-3f;
  bool center_ = true;
  bool scale_ = true;
  int channels_ = 0;
  float* gamma_ = nullptr;
  float* beta_ = nullptr;
  float* moving_mean_ = nullptr;
  float* moving_variance_ = nullptr;
  float* gamma_grad_ = nullptr;
  float* beta_grad_ = nullptr;
  float* moving_mean_grad_ = nullptr;
  float* moving_variance_grad_ = nullptr;
  // Statistics the last forward normalised with (batch ones in training).
  bool last_forward_training_ = false;
  std::vector<float> mean_, inv_std_;
  // Per-channel sums of a training forward or a backward, kept so steps do not allocate.
  std::vector<double> sum_a_, sum_b_;
};

LayerKind batch_norm_kind();

}  // namespace distillery
