#include "engine/model/model.h"

#include <algorithm>

#include "engine/core/error.h"
#include "engine/layers/layer_registry.h"
#include "engine/model/model_limits.h"

namespace distillery {

namespace {

std::vector<LayerPtr> layers_from_configs(const std::vector<nlohmann::json>& layer_configs) {
  require(!layer_configs.empty(), "a model needs at least one layer");
  std::vector<LayerPtr> layers;
  for (const auto& config : layer_configs) layers.push_back(LayerRegistry::instance().create(config));
  return layers;
}

// Builds each layer for the shape before it and checks the size limits
// (model_limits.h), adding the layers' weights to total_parameters; returns
// the output shape. Nothing is allocated for weights, so untrusted files
// cannot ask for unbounded buffers.
Shape shape_layers(const std::vector<LayerPtr>& layers, const Shape& input_shape, int64_t& total_parameters) {
  require(input_shape.rank() >= 1 && capped_elements(input_shape, kMaxSampleActivations) > 0,
          "model input shape " + input_shape.str() + " is empty");
  check_model_input_limits(input_shape);
  check_model_layer_count(int(layers.size()));
  Shape shape = input_shape;
  for (size_t i = 0; i < layers.size(); ++i) {
    try {
      shape = layers[i]->build(shape);
      check_layer_limits(*layers[i], shape, total_parameters);
    } catch (const Error& e) {
      throw Error("layer " + std::to_string(i) + " (" + layers[i]->type() + "): " + e.what());
    }
  }
  require(shape.rank() == 1, "the last layer must output a flat vector of class scores, but outputs " + shape.str());
  return shape;
}

int64_t total_flops_per_sample(const std::vector<LayerPtr>& layers) {
  int64_t total = 0;
  for (const auto& layer : layers) total += layer->flops_per_sample();
  return total;
}

}  // namespace

Model Model::from_layer_configs(const std::vector<nlohmann::json>& layer_configs, const Shape& input_shape,
                                Rng& rng) {
  Model model;
  model.layers_ = layers_from_configs(layer_configs);
  model.build(input_shape);
  for (auto& layer : model.layers_) layer->initialize(rng);
  return model;
}

Model::Size Model::measure(const std::vector<nlohmann::json>& layer_configs, const Shape& input_shape) {
  const std::vector<LayerPtr> layers = layers_from_configs(layer_configs);
  Size size;
  shape_layers(layers, input_shape, size.parameters);
  size.flops_per_sample = total_flops_per_sample(layers);
  size.layers = int(layers.size());
  return size;
}

void Model::build(const Shape& input_shape) {
  int64_t total_parameters = 0;
  output_shape_ = shape_layers(layers_, input_shape, total_parameters);
  input_shape_ = input_shape;
  params_ = ParamStore{};
  for (int i = 0; i < num_layers(); ++i)
    for (const auto& spec : layers_[i]->param_specs()) params_.add(i, spec);
  params_.finalize();
  bind_layers();
  activations_.assign(layers_.size(), Tensor{});
  for (int i = 0; i < num_layers(); ++i) layers_[i]->set_input_gradient_needed(i > 0);
  for (auto& layer : layers_) layer->set_rng(&dropout_rng_);
}

void Model::bind_layers() {
  for (int i = 0; i < num_layers(); ++i) {
    std::vector<float*> values, grads;
    for (const auto& ref : params_.refs) {
      if (ref.layer != i) continue;
      values.push_back(params_.values.data() + ref.offset);
      grads.push_back(params_.grads.data() + ref.offset);
    }
    layers_[i]->bind(values, grads);
  }
}

Model Model::clone() const {
  Model copy;
  for (const auto& layer : layers_) copy.layers_.push_back(LayerRegistry::instance().create(layer->config()));
  copy.build(input_shape_);
  copy.params_.values = params_.values;
  copy.params_.masks = params_.masks;
  copy.class_names = class_names;
  copy.preprocessing = preprocessing;
  copy.provenance = provenance;
  copy.name = name;
  return copy;
}

const Tensor& Model::forward(const Tensor& input, bool training) {
  // The message is built only on failure: forward() runs every training step and must not allocate.
  if (input.shape().without_batch() != input_shape_)
    throw Error("model expects input " + input_shape_.str() + " per sample but got " +
                input.shape().without_batch().str());
  last_input_ = &input;
  const Tensor* current = &input;
  for (int i = 0; i < num_layers(); ++i) {
    layers_[i]->forward(*current, activations_[i], training);
    current = &activations_[i];
  }
  return *current;
}

void Model::backward(const Tensor& grad_logits) {
  assert(last_input_ != nullptr && "backward() needs a forward() first");
  const Tensor* grad_out = &grad_logits;
  Tensor* buffers[2] = {&grad_a_, &grad_b_};
  for (int i = num_layers() - 1; i >= 0; --i) {
    const Tensor& in = i == 0 ? *last_input_ : activations_[i - 1];
    Tensor* grad_in = buffers[i % 2];
    layers_[i]->backward(in, activations_[i], *grad_out, *grad_in);
    grad_out = grad_in;
  }
}

Tensor Model::predict_logits(const Tensor& input, int chunk) {
  const int n = input.rows();
  const int64_t per_sample = input.row_size();
  Tensor logits(Shape{n, num_outputs()});
  Tensor part;
  for (int start = 0; start < n; start += chunk) {
    const int count = std::min(chunk, n - start);
    part.resize(input_shape_.with_batch(count));
    std::copy(input.data() + start * per_sample, input.data() + (start + count) * per_sample, part.data());
    const Tensor& out = forward(part, false);
    std::copy(out.data(), out.data() + out.size(), logits.data() + static_cast<int64_t>(start) * num_outputs());
  }
  return logits;
}

std::vector<nlohmann::json> Model::layer_configs() const {
  std::vector<nlohmann::json> configs;
  for (const auto& layer : layers_) configs.push_back(layer->config());
  return configs;
}

std::vector<int> Model::param_refs_of_layer(int i) const {
  std::vector<int> out;
  for (int r = 0; r < static_cast<int>(params_.refs.size()); ++r)
    if (params_.refs[r].layer == i) out.push_back(r);
  return out;
}

int64_t Model::flops_per_sample() const { return total_flops_per_sample(layers_); }

}  // namespace distillery
