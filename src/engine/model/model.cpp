#include "engine/model/model.h"

#include <algorithm>
#include <cassert>

#include "engine/core/error.h"
#include "engine/layers/layer_registry.h"
#include "engine/model/model_limits.h"

namespace distillery {

namespace {

std::vector<LayerPtr> layers_from_configs(const std::vector<nlohmann::json>& layer_configs) {
  require(!layer_configs.empty(), "a model needs at least one layer");
  std::vector<LayerPtr> layers;
  for (size_t i = 0; i < layer_configs.size(); ++i) {
    try {
      layers.push_back(LayerRegistry::instance().create(layer_configs[i]));
    } catch (const Error& e) {
      const std::string type = layer_config_type(layer_configs[i]);
      throw Error("layer " + std::to_string(i) + (type.empty() ? "" : " (" + type + ")") + ": " + e.what());
    }
  }
  return layers;
}

// Builds each layer for the shapes of its inputs and checks the size limits
// (model_limits.h), adding the layers' weights to total_parameters; returns
// the output shape. Nothing is allocated for weights, so untrusted files
// cannot ask for unbounded buffers.
Shape shape_layers(const std::vector<LayerPtr>& layers, const LayerGraph& graph, const Shape& input_shape,
                   int64_t& total_parameters) {
  require(input_shape.rank() >= 1 && capped_elements(input_shape, kMaxSampleActivations) > 0,
          "model input shape " + input_shape.str() + " is empty");
  check_model_input_limits(input_shape);
  check_model_layer_count(int(layers.size()));
  std::vector<Shape> outputs(layers.size());
  std::vector<Shape> inputs;
  for (size_t i = 0; i < layers.size(); ++i) {
    inputs.clear();
    for (int source : graph.inputs[i]) inputs.push_back(source == LayerGraph::kModelInput ? input_shape : outputs[source]);
    try {
      outputs[i] = layers[i]->build_inputs(inputs);
      check_layer_limits(*layers[i], outputs[i], total_parameters);
    } catch (const Error& e) {
      throw Error("layer " + std::to_string(i) + " (" + layers[i]->type() + "): " + e.what());
    }
  }
  const Shape& shape = outputs.back();
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
  model.graph_ = read_layer_graph(layer_configs);
  model.build(input_shape);
  for (auto& layer : model.layers_) layer->initialize(rng);
  return model;
}

Model::Size Model::measure(const std::vector<nlohmann::json>& layer_configs, const Shape& input_shape) {
  const std::vector<LayerPtr> layers = layers_from_configs(layer_configs);
  Size size;
  shape_layers(layers, read_layer_graph(layer_configs), input_shape, size.parameters);
  size.flops_per_sample = total_flops_per_sample(layers);
  size.layers = int(layers.size());
  return size;
}

void Model::build(const Shape& input_shape) {
  int64_t total_parameters = 0;
  output_shape_ = shape_layers(layers_, graph_, input_shape, total_parameters);
  chain_ = graph_.is_chain();
  input_shape_ = input_shape;
  params_ = ParamStore{};
  for (int i = 0; i < num_layers(); ++i)
    for (const auto& spec : layers_[i]->param_specs()) params_.add(i, spec);
  params_.finalize();
  bind_layers();
  activations_.assign(layers_.size(), Tensor{});
  for (int i = 0; i < num_layers(); ++i) {
    bool reads_a_layer = false;
    for (int source : graph_.inputs[i]) reads_a_layer |= source != LayerGraph::kModelInput;
    layers_[i]->set_input_gradient_needed(reads_a_layer);
  }
  for (auto& layer : layers_) layer->set_rng(&dropout_rng_);
  if (!chain_) prepare_graph_buffers();
}

void Model::prepare_graph_buffers() {
  const int n = num_layers();
  readers_ = graph_.consumer_counts();
  grads_.assign(n, Tensor{});
  grad_parts_.assign(n, {});
  node_inputs_.assign(n, {});
  node_grad_inputs_.assign(n, {});
  for (int i = 0; i < n; ++i) grad_parts_[i].resize(graph_.inputs[i].size());
  for (int i = 0; i < n; ++i) {
    for (size_t k = 0; k < graph_.inputs[i].size(); ++k) {
      const int source = graph_.inputs[i][k];
      node_inputs_[i].push_back(source == LayerGraph::kModelInput ? nullptr : &activations_[source]);
      // A sole reader writes the gradient in place; several readers each write a part that is summed.
      Tensor* target = source == LayerGraph::kModelInput ? &discarded_grad_
                       : readers_[source] == 1           ? &grads_[source]
                                                         : &grad_parts_[i][k];
      node_grad_inputs_[i].push_back(target);
    }
  }
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
  copy.graph_ = graph_;
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
  if (!chain_) {
    for (int i = 0; i < num_layers(); ++i) {
      for (size_t k = 0; k < node_inputs_[i].size(); ++k)
        if (graph_.inputs[i][k] == LayerGraph::kModelInput) node_inputs_[i][k] = &input;
      layers_[i]->forward_inputs(node_inputs_[i], activations_[i], training);
    }
    return activations_.back();
  }
  const Tensor* current = &input;
  for (int i = 0; i < num_layers(); ++i) {
    layers_[i]->forward(*current, activations_[i], training);
    current = &activations_[i];
  }
  return *current;
}

void Model::backward(const Tensor& grad_logits) {
  assert(last_input_ != nullptr && "backward() needs a forward() first");
  if (!chain_) {
    backward_graph(grad_logits);
    return;
  }
  const Tensor* grad_out = &grad_logits;
  Tensor* buffers[2] = {&grad_a_, &grad_b_};
  for (int i = num_layers() - 1; i >= 0; --i) {
    const Tensor& in = i == 0 ? *last_input_ : activations_[i - 1];
    Tensor* grad_in = buffers[i % 2];
    layers_[i]->backward(in, activations_[i], *grad_out, *grad_in);
    grad_out = grad_in;
  }
}

void Model::backward_graph(const Tensor& grad_logits) {
  // Readers come after what they read, so in reverse order every gradient is
  // complete before its layer runs. reads_done_ counts the parts summed so far.
  reads_done_.assign(readers_.size(), 0);
  for (int i = num_layers() - 1; i >= 0; --i) {
    const Tensor& grad_out = i == num_layers() - 1 ? grad_logits : grads_[i];
    layers_[i]->backward_inputs(node_inputs_[i], activations_[i], grad_out, node_grad_inputs_[i]);
    for (size_t k = 0; k < graph_.inputs[i].size(); ++k) {
      const int source = graph_.inputs[i][k];
      if (source == LayerGraph::kModelInput || readers_[source] == 1) continue;
      const Tensor& part = grad_parts_[i][k];
      Tensor& sum = grads_[source];
      if (reads_done_[source]++ == 0) {
        sum.resize(part.shape());
        std::copy(part.data(), part.data() + part.size(), sum.data());
      } else {
        float* total = sum.data();
        const float* add = part.data();
        for (int64_t e = 0; e < sum.size(); ++e) total[e] += add[e];
      }
    }
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
  write_layer_graph(graph_, configs);
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
