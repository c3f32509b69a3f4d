#pragma once
// Dropout {"rate": p}: in training, zeroes each value with probability p and
// scales the rest by 1 / (1 - p) (inverted dropout), so inference is the
// identity. The mask comes from the Rng the model hands over with set_rng();
// the same seed gives the same masks, natively and in WASM.
#include <vector>

#include "engine/layers/layer.h"
#include "engine/layers/layer_kind.h"

namespace distillery {

class Dropout : public Layer {
 public:
  explicit Dropout(const nlohmann::json& config);
  explicit Dropout(float rate);

  std::string type() const override { return "dropout"; }
  nlohmann::json config() const override { return {{"type", type()}, {"rate", rate_}}; }
  Shape build(const Shape& input_shape) override;
  void forward(const Tensor& input, Tensor& output, bool training) override;
  void backward(const Tensor& input, const Tensor& output, const Tensor& grad_output, Tensor& grad_input) override;
  void set_rng(Rng* rng) override { rng_ = rng; }

  float rate() const { return rate_; }

 private:
  float rate_ = 0.0f;
  Rng* rng_ = nullptr;
  Rng own_rng_{0x5eed};  // used only when no model handed one over (a layer used alone)
  // 0 or 1 / (1 - rate) per value of the last training forward; empty after an inference forward.
  std::vector<float> mask_;
};

LayerKind dropout_kind();

}  // namespace distillery
