#pragma once
// Layers that join branches of a graph model (see model/layer_graph.h):
//
//   add:         y = x0 + x1 + ...       every input has the same shape
//   concatenate: y = [x0 | x1 | ...]     along the last axis (the channels of
//                                        an NHWC image); the other axes agree
//
// Config: {"type": "add"}, {"type": "concatenate"}. Both take two or more
// inputs and no weights.
#include "engine/layers/layer.h"
#include "engine/layers/layer_kind.h"

namespace distillery {

class MergeLayer : public Layer {
 public:
  nlohmann::json config() const override { return {{"type", type()}}; }
  // One input is refused (by build_inputs), so the one-input forward never runs.
  Shape build(const Shape& input_shape) override;
  void forward(const Tensor& input, Tensor& output, bool training) override;
  void backward(const Tensor& input, const Tensor& output, const Tensor& grad_output, Tensor& grad_input) override;

 protected:
  // Checks the count; the layer checks the shapes.
  void require_several(const std::vector<Shape>& input_shapes) const;
};

class Add : public MergeLayer {
 public:
  explicit Add(const nlohmann::json& /*config*/) {}
  std::string type() const override { return "add"; }
  Shape build_inputs(const std::vector<Shape>& input_shapes) override;
  void forward_inputs(const std::vector<const Tensor*>& inputs, Tensor& output, bool training) override;
  void backward_inputs(const std::vector<const Tensor*>& inputs, const Tensor& output, const Tensor& grad_output,
                       const std::vector<Tensor*>& grad_inputs) override;
  int64_t flops_per_sample() const override { return (inputs_ - 1) * output_shape_.size(); }

 private:
  int inputs_ = 0;
};

class Concatenate : public MergeLayer {
 public:
  explicit Concatenate(const nlohmann::json& /*config*/) {}
  std::string type() const override { return "concatenate"; }
  Shape build_inputs(const std::vector<Shape>& input_shapes) override;
  void forward_inputs(const std::vector<const Tensor*>& inputs, Tensor& output, bool training) override;
  void backward_inputs(const std::vector<const Tensor*>& inputs, const Tensor& output, const Tensor& grad_output,
                       const std::vector<Tensor*>& grad_inputs) override;

 private:
  std::vector<int> widths_;  // last-axis size of each input
};

LayerKind add_kind();
LayerKind concatenate_kind();

}  // namespace distillery
