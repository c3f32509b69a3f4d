#pragma once
// Model: layers over one flat ParamStore, run in the order they are listed.
// Most models are a chain (each layer reads the one before); a graph model's
// layers name their inputs (model/layer_graph.h), so branches, residual adds
// and concatenations are possible. Outputs logits; softmax lives in the losses
// and in prediction.
//
//   Model m = Model::from_layer_configs(configs, Shape{28, 28, 1}, rng);
//   const Tensor& logits = m.forward(x, /*training=*/true);
//   m.backward(grad_logits);   // accumulates into m.params().grads
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/core/param_store.h"
#include "engine/core/rng.h"
#include "engine/core/tensor.h"
#include "engine/layers/layer.h"
#include "engine/model/layer_graph.h"
#include "engine/model/preprocessing.h"

namespace distillery {

class Model {
 public:
  Model() = default;
  Model(Model&&) = default;
  Model& operator=(Model&&) = default;
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  // Builds layers from their configs (see LayerRegistry), sizes the flat
  // buffers and initialises weights from rng. Throws Error when a layer does
  // not fit its input or the graph keys are wrong (read_layer_graph).
  static Model from_layer_configs(const std::vector<nlohmann::json>& layer_configs, const Shape& input_shape,
                                  Rng& rng);
  // The size of the model from_layer_configs would build, after the same
  // shape and size checks (it throws the same Errors), without allocating or
  // initialising any weight: cheap even for a model at the size limit, so an
  // architecture can be measured as it is typed.
  struct Size {
    int64_t parameters = 0;
    int64_t flops_per_sample = 0;
    int layers = 0;
  };
  static Size measure(const std::vector<nlohmann::json>& layer_configs, const Shape& input_shape);
  // A deep copy: same layers, weights and masks, metadata.
  Model clone() const;

  // input: [N, ...input_shape()]. Returns the logits [N, num_classes].
  const Tensor& forward(const Tensor& input, bool training);
  // Back-propagates d(loss)/d(logits) through the last forward() call,
  // accumulating parameter gradients.
  void backward(const Tensor& grad_logits);
  // Logits for many samples, in chunks (inference mode).
  Tensor predict_logits(const Tensor& input, int chunk = 256);

  const Shape& input_shape() const { return input_shape_; }
  const Shape& output_shape() const { return output_shape_; }
  int num_outputs() const { return static_cast<int>(output_shape_.size()); }
  int num_layers() const { return static_cast<int>(layers_.size()); }
  Layer& layer(int i) { return *layers_[i]; }
  const Layer& layer(int i) const { return *layers_[i]; }
  // The configs the model was built from, with "name" and "inputs" for a graph.
  std::vector<nlohmann::json> layer_configs() const;
  const LayerGraph& graph() const { return graph_; }
  // Each layer reads the one before (the paths with a faster or simpler chain form ask).
  bool is_chain() const { return chain_; }

  ParamStore& params() { return params_; }
  const ParamStore& params() const { return params_; }
  // Parameters stored in the model, and those that are not zero.
  int64_t parameter_count() const { return params_.size(); }
  int64_t nonzero_parameter_count() const { return params_.count_nonzero(); }
  // Indices into params().refs belonging to layer i.
  std::vector<int> param_refs_of_layer(int i) const;
  int64_t flops_per_sample() const;
  // Dropout draws from the model's own generator; a run seeds it for
  // reproducibility.
  void seed_dropout(uint64_t seed) { dropout_rng_.reseed(seed); }
  // The generator itself, for training checkpoints.
  Rng& dropout_rng() { return dropout_rng_; }

  // Metadata carried by the model file.
  std::vector<std::string> class_names;
  Preprocessing preprocessing;
  nlohmann::json provenance = nlohmann::json::object();
  std::string name = "model";

 private:
  void build(const Shape& input_shape);
  void bind_layers();
  void prepare_graph_buffers();
  void backward_graph(const Tensor& grad_logits);

  Shape input_shape_;
  Shape output_shape_;
  std::vector<LayerPtr> layers_;
  ParamStore params_;
  Rng dropout_rng_{12345};
  // activations_[i] is the output of layer i; the input is kept by pointer.
  const Tensor* last_input_ = nullptr;
  std::vector<Tensor> activations_;
  Tensor grad_a_, grad_b_;

  LayerGraph graph_;
  bool chain_ = true;
  // Graph models only: what each layer reads and where its input gradients go.
  // grads_[i] is d(loss)/d(output of layer i); an output read by several
  // layers gets each reader's part in grad_parts_, summed into grads_.
  std::vector<std::vector<const Tensor*>> node_inputs_;
  std::vector<std::vector<Tensor*>> node_grad_inputs_;
  std::vector<Tensor> grads_;
  std::vector<std::vector<Tensor>> grad_parts_;
  std::vector<int> readers_;
  std::vector<int> reads_done_;
  Tensor discarded_grad_;  // gradients with respect to the model input
};

}  // namespace distillery
