#pragma once
// MaxPool2D: the largest value in each window, per channel. Padding cells of
// "same" never win (TF pads with -infinity). forward() keeps the argmax so
// backward() routes each gradient to the cell that won.
#include <cstdint>
#include <vector>

#include "engine/layers/pooling2d.h"
#include "engine/layers/layer_kind.h"

namespace distillery {

class MaxPool2D : public Pooling2D {
 public:
  explicit MaxPool2D(const nlohmann::json& config) : Pooling2D(config, "maxpool2d") {}

  std::string type() const override { return "maxpool2d"; }
  void forward(const Tensor& input, Tensor& output, bool training) override;
  void backward(const Tensor& input, const Tensor& output, const Tensor& grad_output, Tensor& grad_input) override;

 private:
  // For every output value, the offset of the winning input value within its sample.
  std::vector<int32_t> argmax_;
};

LayerKind maxpool2d_kind();

}  // namespace distillery
