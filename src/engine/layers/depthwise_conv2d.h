#pragma once
// DepthwiseConv2D: one kh x kw filter per channel (Keras' DepthwiseConv2D with
// depth_multiplier 1), the spatial half of a MobileNet block: C channels in, the
// same C out, kernel [kh, kw, C, 1] in Keras' layout, bias [C]. Its cost is
// kh * kw * C per pixel where a conv2d's is kh * kw * C * F. The kernels are in
// engine/kernels/depthwise_conv.h; the layer keeps no workspace because the
// kernels need none (nothing is allocated per step).
//
// Config: {"type": "depthwise_conv2d", "kernel_size": [kh, kw] | k,
//          "strides": [sh, sw] | s (default 1), "padding": "valid" | "same",
//          "use_bias": true, "depth_multiplier": 1 (the only one supported)}
#include "engine/kernels/im2col.h"
#include "engine/layers/layer.h"
#include "engine/layers/layer_kind.h"
#include "engine/layers/window_config.h"

namespace distillery {

class DepthwiseConv2D : public Layer {
 public:
  explicit DepthwiseConv2D(const nlohmann::json& config);

  std::string type() const override { return "depthwise_conv2d"; }
  nlohmann::json config() const override;
  Shape build(const Shape& input_shape) override;
  std::vector<ParamSpec> param_specs() const override;
  void bind(const std::vector<float*>& params, const std::vector<float*>& grads) override;
  void initialize(Rng& rng) override;
  void forward(const Tensor& input, Tensor& output, bool training) override;
  void backward(const Tensor& input, const Tensor& output, const Tensor& grad_output, Tensor& grad_input) override;
  int64_t flops_per_sample() const override { return 2 * geometry_.positions() * geometry_.patch_size(); }

  IntPair kernel_size() const { return kernel_size_; }
  IntPair strides() const { return strides_; }
  const Padding& padding() const { return padding_; }
  bool use_bias() const { return use_bias_; }
  const WindowGeometry& geometry() const { return geometry_; }

 private:
  IntPair kernel_size_;
  IntPair strides_{1, 1};
  Padding padding_;
  bool use_bias_ = true;

  WindowGeometry geometry_;
  float* kernel_ = nullptr;
  float* bias_ = nullptr;
  float* kernel_grad_ = nullptr;
  float* bias_grad_ = nullptr;
};

LayerKind depthwise_conv2d_kind();

}  // namespace distillery
