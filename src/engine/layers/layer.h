#pragma once
// Layer: the one small contract every layer implements (tiny-dnn's habit).
//
// Life cycle: a Model constructs layers from their JSON config, calls build()
// with the per-sample input shape, registers param_specs() in the flat
// ParamStore, then bind()s the layer to its slices. forward() keeps whatever
// backward() needs (e.g. pooling argmax) in the layer; backward() ADDS the
// parameter gradients into the gradient slices and writes grad_input.
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/core/param_store.h"
#include "engine/core/rng.h"
#include "engine/core/tensor.h"

namespace distillery {

class Layer {
 public:
  virtual ~Layer() = default;

  // Registry name, e.g. "dense", "conv2d", "maxpool2d".
  virtual std::string type() const = 0;
  // The layer's settings, enough to rebuild it through the registry.
  virtual nlohmann::json config() const = 0;

  // Validates the per-sample input shape and returns the per-sample output
  // shape. Throws Error when the input does not fit (e.g. Dense on an image).
  virtual Shape build(const Shape& input_shape) = 0;
  // Weight tensors in a fixed order (kernel before bias). Empty if none.
  virtual std::vector<ParamSpec> param_specs() const { return {}; }
  // Pointers to this layer's parameters and gradients, in param_specs() order.
  virtual void bind(const std::vector<float*>& params, const std::vector<float*>& grads) {
    (void)params;
    (void)grads;
  }
  // Fills the bound parameters with their initial values.
  virtual void initialize(Rng& rng) { (void)rng; }

  // input: [N, ...input_shape]; output is resized by the layer.
  virtual void forward(const Tensor& input, Tensor& output, bool training) = 0;
  // Accumulates parameter gradients; grad_input is resized by the layer.
  virtual void backward(const Tensor& input, const Tensor& output, const Tensor& grad_output,
                        Tensor& grad_input) = 0;

  // Layers that combine several tensors (add, concatenate) override these;
  // every other layer takes exactly one input, and the defaults hand it to the
  // one-input forms above. A graph model calls these; a chain calls the above.
  virtual Shape build_inputs(const std::vector<Shape>& input_shapes);
  virtual void forward_inputs(const std::vector<const Tensor*>& inputs, Tensor& output, bool training) {
    forward(*inputs[0], output, training);
  }
  // grad_inputs[k] receives d(loss)/d(inputs[k]).
  virtual void backward_inputs(const std::vector<const Tensor*>& inputs, const Tensor& output,
                               const Tensor& grad_output, const std::vector<Tensor*>& grad_inputs) {
    backward(*inputs[0], output, grad_output, *grad_inputs[0]);
  }

  // Called when the weights were changed by something other than training
  // (pruning, loading): a layer that caches a form of them drops it.
  virtual void weights_changed() {}

  // Floating-point operations per sample for one forward pass (for reports).
  virtual int64_t flops_per_sample() const { return 0; }

  const Shape& input_shape() const { return input_shape_; }
  const Shape& output_shape() const { return output_shape_; }
  // Dropout needs randomness during training; the model hands it one.
  virtual void set_rng(Rng* rng) { (void)rng; }

  // The model's first layer: nobody reads its grad_input, so layers whose
  // input gradient costs real work (Dense, Conv2D, Flatten) skip it and leave
  // grad_input untouched. True unless the model says otherwise.
  void set_input_gradient_needed(bool needed) { input_gradient_needed_ = needed; }
  bool input_gradient_needed() const { return input_gradient_needed_; }

 protected:
  Shape input_shape_;
  Shape output_shape_;
  bool input_gradient_needed_ = true;
};

using LayerPtr = std::unique_ptr<Layer>;

}  // namespace distillery
