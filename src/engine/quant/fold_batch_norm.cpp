#include "engine/quant/fold_batch_norm.h"

#include <cmath>

#include "engine/layers/batch_norm.h"
#include "engine/quant/model_params.h"

namespace distillery {
namespace {

// The BatchNorm that folds into layer i, or -1: a Dense or Conv2D whose output
// only that BatchNorm reads (in a chain, the layer right after it). A kernel
// whose output something else also reads must keep its unnormalised output.
int norm_folding_into(const Model& model, int i) {
  if (!has_quantizable_kernel(model.layer(i))) return -1;
  const int reader = model.graph().sole_reader(i);
  return reader >= 0 && model.layer(reader).type() == "batch_norm" ? reader : -1;
}

}  // namespace

Model fold_batch_norms(const Model& model) {
  const LayerGraph& graph = model.graph();
  // Which layers survive, and which BatchNorm folds into each. A folded
  // BatchNorm's readers read the layer it folded into instead (new_index).
  std::vector<nlohmann::json> configs;
  std::vector<int> source;       // source[j]: the layer of `model` behind new layer j
  std::vector<int> folded_norm;  // the BatchNorm folded into new layer j, or -1
  std::vector<int> new_index(size_t(model.num_layers()), -1);
  std::vector<bool> folded_away(size_t(model.num_layers()), false);
  LayerGraph out_graph;
  for (int i = 0; i < model.num_layers(); ++i) {
    if (folded_away[size_t(i)]) continue;
    const int norm = norm_folding_into(model, i);
    nlohmann::json config = model.layer(i).config();
    if (norm >= 0) {
      config["use_bias"] = true;  // the folded shift becomes the bias
      folded_away[size_t(norm)] = true;
      new_index[size_t(norm)] = int(configs.size());
    }
    new_index[size_t(i)] = int(configs.size());
    configs.push_back(config);
    source.push_back(i);
    folded_norm.push_back(norm);
    // The kernel keeps its name; the BatchNorm's readers now name it (write_layer_graph, by index).
    out_graph.names.push_back(graph.names[size_t(i)]);
    std::vector<int> inputs;
    for (int s : graph.inputs[size_t(i)]) inputs.push_back(s == LayerGraph::kModelInput ? s : new_index[size_t(s)]);
    out_graph.inputs.push_back(inputs);
  }
  if (!model.is_chain()) write_layer_graph(out_graph, configs);

  Rng rng(0);  // every weight is overwritten below
  Model out = Model::from_layer_configs(configs, model.input_shape(), rng);
  out.class_names = model.class_names;
  out.preprocessing = model.preprocessing;
  out.provenance = model.provenance;
  out.name = model.name;

  const ParamStore& from = model.params();
  ParamStore& to = out.params();
  for (int j = 0; j < out.num_layers(); ++j) {
    for (int r : out.param_refs_of_layer(j)) {
      const ParamRef& dst = to.refs[size_t(r)];
      const ParamRef* src = find_param(model, source[size_t(j)], dst.spec.name);
      for (int64_t k = 0; k < dst.size(); ++k) {
        to.values[size_t(dst.offset + k)] = src ? from.values[size_t(src->offset + k)] : 0.0f;
        to.masks[size_t(dst.offset + k)] = src ? from.masks[size_t(src->offset + k)] : 1.0f;
      }
    }
    const int norm = folded_norm[size_t(j)];
    if (norm < 0) continue;
    const auto& bn = static_cast<const BatchNorm&>(model.layer(norm));
    const int channels = bn.channels();
    auto channel_values = [&](const char* name, float fallback) {
      std::vector<float> v(size_t(channels), fallback);
      if (const ParamRef* ref = find_param(model, norm, name))
        for (int c = 0; c < channels; ++c) v[size_t(c)] = from.values[size_t(ref->offset + c)];
      return v;
    };
    const std::vector<float> gamma = channel_values("gamma", 1.0f), beta = channel_values("beta", 0.0f),
                             mean = channel_values("moving_mean", 0.0f),
                             variance = channel_values("moving_variance", 1.0f);
    const ParamRef* kernel = find_param(out, j, "kernel");
    const ParamRef* bias = find_param(out, j, "bias");
    for (int64_t k = 0; k < kernel->size(); ++k) {
      const int c = int(k % channels);
      to.values[size_t(kernel->offset + k)] *= gamma[size_t(c)] / std::sqrt(variance[size_t(c)] + bn.epsilon());
    }
    for (int c = 0; c < channels; ++c) {
      const float g = gamma[size_t(c)] / std::sqrt(variance[size_t(c)] + bn.epsilon());
      float& b = to.values[size_t(bias->offset + c)];
      b = (b - mean[size_t(c)]) * g + beta[size_t(c)];
    }
  }
  return out;
}

}  // namespace distillery
