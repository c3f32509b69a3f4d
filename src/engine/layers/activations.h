#pragma once
// Element-wise activation layers: relu, relu6 (min(max(x, 0), 6), MobileNet's),
// leaky_relu {"alpha": 0.3 (Keras' default)}, sigmoid and tanh. They share one small base that owns the shape
// bookkeeping; each only says how to map a value and how to pass a gradient.
// (Softmax is not a layer: it lives in the losses and in prediction.)
#include "engine/layers/layer.h"
#include "engine/layers/layer_kind.h"

namespace distillery {

class ElementwiseActivation : public Layer {
 public:
  nlohmann::json config() const override { return {{"type", type()}}; }
  Shape build(const Shape& input_shape) override;
  void forward(const Tensor& input, Tensor& output, bool training) override;
  void backward(const Tensor& input, const Tensor& output, const Tensor& grad_output, Tensor& grad_input) override;

 protected:
  // y = f(x) for n values.
  virtual void apply(const float* x, float* y, int64_t n) const = 0;
  // dx = f'(x) * dy, given x and y = f(x) (whichever is cheaper to use).
  virtual void gradient(const float* x, const float* y, const float* dy, float* dx, int64_t n) const = 0;
};

class ReLU : public ElementwiseActivation {
 public:
  ReLU() = default;
  explicit ReLU(const nlohmann::json& /*config*/) {}
  std::string type() const override { return "relu"; }

 protected:
  void apply(const float* x, float* y, int64_t n) const override;
  void gradient(const float* x, const float* y, const float* dy, float* dx, int64_t n) const override;
};

class ReLU6 : public ElementwiseActivation {
 public:
  ReLU6() = default;
  explicit ReLU6(const nlohmann::json& /*config*/) {}
  std::string type() const override { return "relu6"; }

 protected:
  void apply(const float* x, float* y, int64_t n) const override;
  void gradient(const float* x, const float* y, const float* dy, float* dx, int64_t n) const override;
};

class LeakyReLU : public ElementwiseActivation {
 public:
  explicit LeakyReLU(float alpha = 0.3f);
  // Reads "alpha" (Keras 2 / TF.js) or "negative_slope" (Keras 3).
  explicit LeakyReLU(const nlohmann::json& config);
  std::string type() const override { return "leaky_relu"; }
  nlohmann::json config() const override { return {{"type", type()}, {"alpha", alpha_}}; }
  float alpha() const { return alpha_; }

 protected:
  void apply(const float* x, float* y, int64_t n) const override;
  void gradient(const float* x, const float* y, const float* dy, float* dx, int64_t n) const override;

 private:
  float alpha_;
};

class Sigmoid : public ElementwiseActivation {
 public:
  Sigmoid() = default;
  explicit Sigmoid(const nlohmann::json& /*config*/) {}
  std::string type() const override { return "sigmoid"; }

 protected:
  void apply(const float* x, float* y, int64_t n) const override;
  void gradient(const float* x, const float* y, const float* dy, float* dx, int64_t n) const override;
};

class Tanh : public ElementwiseActivation {
 public:
  Tanh() = default;
  explicit Tanh(const nlohmann::json& /*config*/) {}
  std::string type() const override { return "tanh"; }

 protected:
  void apply(const float* x, float* y, int64_t n) const override;
  void gradient(const float* x, const float* y, const float* dy, float* dx, int64_t n) const override;
};

LayerKind relu_kind();
LayerKind relu6_kind();
LayerKind leaky_relu_kind();
LayerKind sigmoid_kind();
LayerKind tanh_kind();

}  // namespace distillery
