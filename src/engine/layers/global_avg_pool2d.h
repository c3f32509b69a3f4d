#pragma once
// GlobalAvgPool2D: the mean of each channel over the whole image, [H, W, C] to
// [C] (Keras' GlobalAveragePooling2D). It ends the convolutional part of
// ResNet- and MobileNet-style models in place of flatten, so the dense after
// it has C inputs whatever the image size.
#include "engine/layers/layer.h"
#include "engine/layers/layer_kind.h"

namespace distillery {

class GlobalAvgPool2D : public Layer {
 public:
  GlobalAvgPool2D() = default;
  explicit GlobalAvgPool2D(const nlohmann::json& /*config*/) {}

  std::string type() const override { return "global_avg_pool2d"; }
  nlohmann::json config() const override { return {{"type", type()}}; }
  Shape build(const Shape& input_shape) override;
  void forward(const Tensor& input, Tensor& output, bool training) override;
  void backward(const Tensor& input, const Tensor& output, const Tensor& grad_output, Tensor& grad_input) override;
  int64_t flops_per_sample() const override { return input_shape_.size(); }
};

LayerKind global_avg_pool2d_kind();

}  // namespace distillery
