#include "engine/quant/qat.h"

#include <algorithm>

#include "engine/core/error.h"
#include "engine/quant/calibration.h"
#include "engine/quant/fake_quant.h"
#include "engine/quant/fold_batch_norm.h"
#include "engine/quant/model_params.h"

namespace distillery {
namespace {

// Where the int8 forward quantizes the output of layer i (see qat.h).
bool quantizes_output(const Model& model, int i) {
  if (i + 1 >= model.num_layers()) return false;  // the logits stay float
  if (fused_relu_of(model, i) >= 0) return false;  // the ReLU's output is the one quantized
  return !keeps_input_range(model, i);
}

void copy_metadata(const Model& from, Model& to) {
  to.class_names = from.class_names;
  to.preprocessing = from.preprocessing;
  to.name = from.name;
  to.provenance = from.provenance;
}

// Copies weights and masks between two models whose weighted layers come in the same order
// (fake_quant layers have none, so the flat stores line up).
void copy_params(const Model& from, Model& to) {
  require(from.params().values.size() == to.params().values.size(),
          "QAT: the fake-quantized copy does not hold the model's weights");
  to.params().values = from.params().values;
  to.params().masks = from.params().masks;
  for (int i = 0; i < to.num_layers(); ++i) to.layer(i).weights_changed();
}

template <typename F>
void for_each_kernel(Model& model, F&& f) {
  for (int i = 0; i < model.num_layers(); ++i) {
    if (!has_quantizable_kernel(model.layer(i))) continue;
    const ParamRef* kernel = find_param(model, i, "kernel");
    if (kernel != nullptr) f(*kernel);
  }
}

}  // namespace

Model fake_quantized_copy(const Model& model) {
  register_fake_quant_layer();
  std::vector<nlohmann::json> configs = model.layer_configs();
  std::vector<nlohmann::json> with_fake_quant;
  if (model.is_chain()) {
    with_fake_quant.push_back({{"type", FakeQuantLayer::kType}});
    for (int i = 0; i < model.num_layers(); ++i) {
      with_fake_quant.push_back(configs[size_t(i)]);
      if (quantizes_output(model, i)) with_fake_quant.push_back({{"type", FakeQuantLayer::kType}});
    }
  } else {
    // A graph: each fake-quant layer reads the output it rounds, and that
    // output's readers read the fake-quant layer instead.
    const LayerGraph& graph = model.graph();
    std::vector<std::string> read_as(graph.names);  // what the readers of layer i now name
    const std::string input = std::string("fake_quant_") + LayerGraph::kModelInputName;
    with_fake_quant.push_back({{"type", FakeQuantLayer::kType}, {"name", input}, {"inputs", {LayerGraph::kModelInputName}}});
    for (int i = 0; i < model.num_layers(); ++i) {
      nlohmann::json config = configs[size_t(i)];
      nlohmann::json inputs = nlohmann::json::array();
      for (int s : graph.inputs[size_t(i)]) inputs.push_back(s == LayerGraph::kModelInput ? input : read_as[size_t(s)]);
      config["inputs"] = inputs;
      with_fake_quant.push_back(config);
      if (!quantizes_output(model, i)) continue;
      read_as[size_t(i)] = "fake_quant_" + graph.names[size_t(i)];
      with_fake_quant.push_back(
          {{"type", FakeQuantLayer::kType}, {"name", read_as[size_t(i)]}, {"inputs", {graph.names[size_t(i)]}}});
    }
  }
  Rng rng(0);  // every weight is overwritten
  Model copy = Model::from_layer_configs(with_fake_quant, model.input_shape(), rng);
  copy_params(model, copy);
  copy_metadata(model, copy);
  return copy;
}

void swap_in_fake_quantized_kernels(Model& model, std::vector<float>& latent) {
  latent.clear();
  ParamStore& params = model.params();
  for_each_kernel(model, [&](const ParamRef& kernel) {
    float* w = params.values.data() + kernel.offset;
    const float* mask = params.masks.data() + kernel.offset;
    latent.insert(latent.end(), w, w + kernel.size());
    for (int64_t k = 0; k < kernel.size(); ++k) w[k] *= mask[k];  // pruned weights are 0 on the grid too
    fake_quantize_kernel(w, kernel.size(), kernel.spec.shape[kernel.spec.shape.rank() - 1]);
  });
}

void restore_latent_kernels(Model& model, const std::vector<float>& latent) {
  size_t at = 0;
  ParamStore& params = model.params();
  for_each_kernel(model, [&](const ParamRef& kernel) {
    require(at + size_t(kernel.size()) <= latent.size(), "QAT: the kept float kernels do not fit the model");
    std::copy(latent.begin() + std::ptrdiff_t(at), latent.begin() + std::ptrdiff_t(at + size_t(kernel.size())),
              params.values.begin() + kernel.offset);
    at += size_t(kernel.size());
  });
}

Model quantization_aware_finetune(const Model& model, const Dataset& data, const std::vector<int>& train_indices,
                                  const TrainConfig& config, TeacherSignal teacher, TrainCallbacks callbacks) {
  require(config.epochs >= 1, "QAT needs at least one epoch, got " + std::to_string(config.epochs));
  require(!train_indices.empty(), "QAT needs training images");
  validate_train_config(config);
  const Model folded = fold_batch_norms(model);
  Model qat = fake_quantized_copy(folded);

  std::vector<float> latent;
  TrainCallbacks steps = callbacks;
  steps.before_forward = [&, outer = callbacks.before_forward](int64_t step, Model& m) {
    if (outer) outer(step, m);
    swap_in_fake_quantized_kernels(m, latent);
  };
  steps.before_step = [&, outer = callbacks.before_step](int64_t step, Model& m) {
    restore_latent_kernels(m, latent);  // the optimiser steps the float kernels with the rounded ones' gradient
    if (outer) outer(step, m);
  };
  TrainingRun run(qat, data, train_indices, {}, config, teacher, steps);
  run.run();

  Model tuned = folded.clone();
  copy_params(qat, tuned);
  return tuned;
}

}  // namespace distillery
