#pragma once
// Fake quantization for quantization-aware training: float tensors rounded to
// the int8 grid the quantized model will use, with the straight-through
// estimator (STE) as their gradient.
//
// Weights: per output channel, symmetric, exactly as quantize_per_channel
// (quant_math.h) stores them; fake_quantize_kernel rounds a kernel in place.
// QAT runs the forward and backward pass on the rounded kernel and applies the
// gradient to the float ("latent") kernel unchanged: d round(w) / dw := 1.
//
// Activations: FakeQuantLayer, a layer of type "fake_quant" that QAT inserts
// into a copy of the model where the int8 forward quantizes an activation.
// Training forward: track the tensor's range (min/max, moving average over
// batches), round the values to the int8 grid of that range
// (activation_quant_from_range). Backward: the gradient passes where the input
// was inside the range and is 0 where it was clipped (STE with clipping).
// The type exists only in the models QAT builds: register_fake_quant_layer()
// adds it to the registry the first time QAT runs.
#include <cstdint>

#include "engine/layers/layer.h"
#include "engine/quant/quant_math.h"

namespace distillery {

// Rounds `count` kernel values (channel = index % channels) to their per-channel int8 grid.
void fake_quantize_kernel(float* kernel, int64_t count, int channels);

class FakeQuantLayer : public Layer {
 public:
  static constexpr const char* kType = "fake_quant";
  // config: {"type": "fake_quant", "momentum": m}, m in [0, 1): how much of the
  // tracked range each batch keeps (0: the last batch's range alone).
  explicit FakeQuantLayer(const nlohmann::json& config);

  std::string type() const override { return kType; }
  nlohmann::json config() const override;
  Shape build(const Shape& input_shape) override;
  void forward(const Tensor& input, Tensor& output, bool training) override;
  void backward(const Tensor& input, const Tensor& output, const Tensor& grad_output, Tensor& grad_input) override;

  bool has_range() const { return seen_; }
  float range_min() const { return min_; }
  float range_max() const { return max_; }

 private:
  float momentum_ = 0.99f;
  bool seen_ = false;
  float min_ = 0.0f, max_ = 0.0f;
  ActivationQuant used_;  // the grid of the last forward, which its backward clips by
};

// Adds the "fake_quant" kind to the layer registry once (thread-safe).
void register_fake_quant_layer();

}  // namespace distillery
