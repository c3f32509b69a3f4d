#pragma once
// Flatten: [H, W, C] (or any shape) to one vector per sample, in NHWC order, so
// the following Dense kernel has the same row order as in Keras/TF.js.
#include "engine/layers/layer.h"
#include "engine/layers/layer_kind.h"

namespace distillery {

class Flatten : public Layer {
 public:
  Flatten() = default;
  explicit Flatten(const nlohmann::json& /*config*/) {}

  std::string type() const override { return "flatten"; }
  nlohmann::json config() const override { return {{"type", type()}}; }
  Shape build(const Shape& input_shape) override;
  void forward(const Tensor& input, Tensor& output, bool training) override;
  void backward(const Tensor& input, const Tensor& output, const Tensor& grad_output, Tensor& grad_input) override;
};

LayerKind flatten_kind();

}  // namespace distillery
