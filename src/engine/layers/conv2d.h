#pragma once
// Conv2D: a 2-D convolution over NHWC images, kernel in the Keras/TF.js layout
// [kh, kw, in, out], bias [out], TensorFlow's "same"/"valid" padding.
// Forward and both backward products are GEMMs over an im2col workspace that
// the layer keeps (sized for a chunk of samples), so steps do not reallocate.
//
// Config: {"type": "conv2d", "filters": F, "kernel_size": [kh, kw] | k,
//          "strides": [sh, sw] | s (default 1), "padding": "valid" | "same",
//          "use_bias": true, "kernel_initializer": "glorot_uniform" | "he_uniform"}
#include <vector>

#include "engine/kernels/im2col.h"
#include "engine/layers/layer.h"
#include "engine/layers/window_config.h"
#include "engine/layers/layer_kind.h"

namespace distillery {

class Conv2D : public Layer {
 public:
  explicit Conv2D(const nlohmann::json& config);

  std::string type() const override { return "conv2d"; }
  nlohmann::json config() const override;
  Shape build(const Shape& input_shape) override;
  std::vector<ParamSpec> param_specs() const override;
  void bind(const std::vector<float*>& params, const std::vector<float*>& grads) override;
  void initialize(Rng& rng) override;
  void forward(const Tensor& input, Tensor& output, bool training) override;
  void backward(const Tensor& input, const Tensor& output, const Tensor& grad_output, Tensor& grad_input) override;
  int64_t flops_per_sample() const override { return 2 * geometry_.positions() * geometry_.patch_size() * filters_; }

  int filters() const { return filters_; }
  IntPair kernel_size() const { return kernel_size_; }
  IntPair strides() const { return strides_; }
  const Padding& padding() const { return padding_; }
  bool use_bias() const { return use_bias_; }
  int in_channels() const { return geometry_.channels; }
  const WindowGeometry& geometry() const { return geometry_; }
  const float* kernel() const { return kernel_; }
  const float* bias() const { return bias_; }

 private:
  // Samples per GEMM so that the im2col workspace stays near kWorkspaceFloats.
  int chunk_samples(int batch) const;
  // A 1x1, stride-1, unpadded convolution needs no im2col: the input is the column matrix.
  bool input_is_columns() const;

  int filters_ = 0;
  IntPair kernel_size_;
  IntPair strides_{1, 1};
  Padding padding_;
  bool use_bias_ = true;
  std::string initializer_ = "glorot_uniform";

  WindowGeometry geometry_;
  float* kernel_ = nullptr;
  float* bias_ = nullptr;
  float* kernel_grad_ = nullptr;
  float* bias_grad_ = nullptr;
  std::vector<float> columns_;  // im2col workspace for one chunk of samples
};

LayerKind conv2d_kind();

}  // namespace distillery
