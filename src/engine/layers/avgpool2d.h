#pragma once
// AvgPool2D: the mean of each window, per channel. With "same" padding the mean
// is over the real cells only (TF's count_include_pad = false), so a corner
// window of a 3x3 input under a 2x2 pool averages one value, not four.
#include "engine/layers/pooling2d.h"
#include "engine/layers/layer_kind.h"

namespace distillery {

class AvgPool2D : public Pooling2D {
 public:
  explicit AvgPool2D(const nlohmann::json& config) : Pooling2D(config, "avgpool2d") {}

  std::string type() const override { return "avgpool2d"; }
  void forward(const Tensor& input, Tensor& output, bool training) override;
  void backward(const Tensor& input, const Tensor& output, const Tensor& grad_output, Tensor& grad_input) override;
};

LayerKind avgpool2d_kind();

}  // namespace distillery
