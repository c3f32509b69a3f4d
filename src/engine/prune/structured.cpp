// Structured pruning (see structured.h).
//   - how channels flow through each layer: its kind's ChannelFlow (layers/layer_kind.h)
//   - KernelView: any kernel as [outer, in, out] (dense: outer = 1; conv: kh * kw)
//   - planning: rank outputs by norm, trace kept channels to the next weighted layer
//   - shrink_model / masked_equivalent
#include "engine/prune/structured.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "engine/core/error.h"
#include "engine/layers/layer_registry.h"
#include "engine/prune/masks.h"

namespace distillery {
namespace {

ChannelFlow channel_flow(const Layer& layer) {
  const LayerKind* kind = LayerRegistry::instance().find(layer.type());
  return kind != nullptr ? kind->channels : ChannelFlow::blocked;
}
bool is_weighted(const Layer& layer) { return channel_flow(layer) == ChannelFlow::weighted; }
const std::string& width_key(const Layer& layer) { return LayerRegistry::instance().kind(layer.type()).width_key; }

std::string layer_name(const Model& model, int i) {
  return "layer " + std::to_string(i) + " (" + model.layer(i).type() + ")";
}

// Whether structured pruning can follow channels through layer i: its kind
// says how, and a layer that keeps channels has no weights of its own.
bool channels_traceable(const Model& model, int i) {
  const ChannelFlow flow = channel_flow(model.layer(i));
  if (flow == ChannelFlow::preserved) return model.param_refs_of_layer(i).empty();
  return flow != ChannelFlow::blocked;
}

[[noreturn]] void refuse_untraceable(const Model& model, int i) {
  throw Error("structured pruning cannot trace units through " + layer_name(model, i) +
              " (supported between weighted layers: activations, dropout, pooling, batch_norm, depthwise_conv2d, "
              "flatten, add, concatenate)");
}

// Index of the last weighted layer: the logits producer, never shrunk.
int last_weighted_layer(const Model& model) {
  for (int i = model.num_layers() - 1; i >= 0; --i)
    if (is_weighted(model.layer(i))) return i;
  return -1;
}

// A kernel [..., in, out] seen as [outer, in, out].
struct KernelView {
  int64_t outer, in, out;
  explicit KernelView(const Shape& s)
      : outer(s.size() / (static_cast<int64_t>(s[s.rank() - 2]) * s[s.rank() - 1])),
        in(s[s.rank() - 2]),
        out(s[s.rank() - 1]) {}
  int64_t at(int64_t t, int64_t i, int64_t o) const { return (t * in + i) * out + o; }
};

const ParamRef* find_param(const Model& model, int layer, const std::string& name) {
  for (int r : model.param_refs_of_layer(layer))
    if (model.params().refs[r].spec.name == name) return &model.params().refs[r];
  return nullptr;
}

// Norm of every output unit's kernel slice over the kept inputs.
std::vector<double> output_norms(const Model& model, int layer, const std::vector<int>& kept_in,
                                 NormCriterion criterion) {
  const ParamRef& ref = *find_param(model, layer, "kernel");
  const KernelView k(ref.spec.shape);
  const float* w = model.params().values.data() + ref.offset;
  std::vector<double> norms(static_cast<size_t>(k.out), 0.0);
  for (int64_t t = 0; t < k.outer; ++t)
    for (int i : kept_in)
      for (int64_t o = 0; o < k.out; ++o) {
        const double v = w[k.at(t, i, o)];
        norms[o] += criterion == NormCriterion::l1 ? std::fabs(v) : v * v;
      }
  return norms;  // (the square root does not change an L2 ranking)
}

// The `keep` outputs with the largest norms, returned in increasing index order.
std::vector<int> strongest(const std::vector<double>& norms, int keep) {
  std::vector<int> order(norms.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return norms[a] > norms[b]; });
  order.resize(static_cast<size_t>(keep));
  std::sort(order.begin(), order.end());
  return order;
}

std::vector<int> all_of(int n) {
  std::vector<int> v(static_cast<size_t>(n));
  std::iota(v.begin(), v.end(), 0);
  return v;
}

// Position of each kept index (old index -> new index, -1 when removed).
std::vector<int> inverse(const std::vector<int>& kept, int64_t size) {
  std::vector<int> pos(static_cast<size_t>(size), -1);
  for (size_t k = 0; k < kept.size(); ++k) pos[kept[k]] = static_cast<int>(k);
  return pos;
}

// ---------------------------------------------------------------- graphs
// Channels tied by an add (and the layers that keep channels around it) form
// one group: its weighted producers are scored together (their norms summed)
// and lose the same channels. Tensors are numbered 0 for the model input and
// i + 1 for layer i's output.

class ChannelGroups {
 public:
  explicit ChannelGroups(int tensors) : parent_(static_cast<size_t>(tensors)) {
    std::iota(parent_.begin(), parent_.end(), 0);
  }
  int find(int t) {
    while (parent_[t] != t) t = parent_[t] = parent_[parent_[t]];
    return t;
  }
  void join(int a, int b) { parent_[find(a)] = find(b); }

 private:
  std::vector<int> parent_;
};

int tensor_of(int source) { return source + 1; }  // LayerGraph::kModelInput is -1

int last_axis(const Shape& shape) { return shape[shape.rank() - 1]; }

// Which tensors share channels, and which hold channels made from their
// inputs' (a concatenation, a flatten) rather than a kernel's.
struct ChannelTopology {
  ChannelGroups groups;
  std::vector<bool> derived;
};

ChannelTopology channel_topology(const Model& model) {
  const LayerGraph& graph = model.graph();
  const int n = model.num_layers();
  const int last = last_weighted_layer(model);
  ChannelTopology topo{ChannelGroups(n + 1), std::vector<bool>(static_cast<size_t>(n + 1), false)};
  for (int i = 0; i < n; ++i) {
    const ChannelFlow flow = channel_flow(model.layer(i));
    const std::vector<int>& inputs = graph.inputs[static_cast<size_t>(i)];
    if (!channels_traceable(model, i)) {
      if (i > last) continue;
      refuse_untraceable(model, i);
    }
    if (flow == ChannelFlow::flattened || flow == ChannelFlow::concatenated)
      topo.derived[static_cast<size_t>(i + 1)] = true;
    const bool channel_wise = flow == ChannelFlow::per_channel || flow == ChannelFlow::depthwise;
    if (flow == ChannelFlow::preserved || channel_wise) topo.groups.join(i + 1, tensor_of(inputs[0]));
    if (flow == ChannelFlow::joined)
      for (int source : inputs) topo.groups.join(i + 1, tensor_of(source));
  }
  return topo;
}

// Each group's kept channels, indexed by its root tensor; empty for a group
// without a weighted producer. All of them when the group holds the model
// input, a derived tensor or the logits; else the strongest by the producers'
// summed norms.
std::vector<std::vector<int>> kept_per_group(const Model& model, ChannelTopology& topo,
                                             const std::vector<int>& keep_counts, NormCriterion criterion) {
  const int n = model.num_layers();
  const int last = last_weighted_layer(model);
  ChannelGroups& groups = topo.groups;
  std::vector<std::vector<int>> group_kept(static_cast<size_t>(n + 1));
  std::vector<bool> keeps_all(static_cast<size_t>(n + 1), false);
  keeps_all[static_cast<size_t>(groups.find(0))] = true;
  for (int t = 1; t <= n; ++t)
    if (topo.derived[static_cast<size_t>(t)]) keeps_all[static_cast<size_t>(groups.find(t))] = true;
  for (int i = 0; i < n; ++i) {
    if (!is_weighted(model.layer(i))) continue;
    const int g = groups.find(i + 1);
    if (!group_kept[static_cast<size_t>(g)].empty()) continue;
    const int width = last_axis(model.layer(i).output_shape());
    std::vector<double> norms(static_cast<size_t>(width), 0.0);
    int keep = 0;
    bool all = keeps_all[static_cast<size_t>(g)];
    for (int p = i; p < n; ++p) {
      if (!is_weighted(model.layer(p)) || groups.find(p + 1) != g) continue;
      all = all || p == last || keep_counts[static_cast<size_t>(p)] < 0;
      keep = std::max(keep, keep_counts[static_cast<size_t>(p)]);
      const std::vector<double> part =
          output_norms(model, p, all_of(last_axis(model.layer(p).input_shape())), criterion);
      for (int c = 0; c < width; ++c) norms[static_cast<size_t>(c)] += part[static_cast<size_t>(c)];
    }
    group_kept[static_cast<size_t>(g)] = all || keep >= width ? all_of(width) : strongest(norms, std::max(1, keep));
  }
  for (int t = 0; t <= n; ++t)
    if (topo.derived[static_cast<size_t>(t)] && !group_kept[static_cast<size_t>(groups.find(t))].empty())
      throw Error("structured pruning cannot follow the channels of " + layer_name(model, t - 1) +
                  ", which are added to a weighted layer's");
  return group_kept;
}

StructuredPlan plan_graph(const Model& model, const std::vector<int>& keep_counts, NormCriterion criterion) {
  const LayerGraph& graph = model.graph();
  const int n = model.num_layers();
  ChannelTopology topo = channel_topology(model);
  const std::vector<std::vector<int>> group_kept = kept_per_group(model, topo, keep_counts, criterion);

  // Each tensor's kept channels, in layer order, and from them each layer's.
  StructuredPlan plan;
  plan.kept_inputs.resize(static_cast<size_t>(n));
  plan.kept_outputs.resize(static_cast<size_t>(n));
  std::vector<std::vector<int>> kept(static_cast<size_t>(n + 1));
  kept[0] = all_of(last_axis(model.input_shape()));
  for (int i = 0; i < n; ++i) {
    const Layer& layer = model.layer(i);
    const std::vector<int>& inputs = graph.inputs[static_cast<size_t>(i)];
    const std::vector<int>& first_in = kept[static_cast<size_t>(tensor_of(inputs[0]))];
    const std::vector<int>& of_group = group_kept[static_cast<size_t>(topo.groups.find(i + 1))];
    std::vector<int>& out = kept[static_cast<size_t>(i + 1)];
    const ChannelFlow flow = channel_flow(layer);
    if (flow == ChannelFlow::flattened) {
      const int channels = last_axis(layer.input_shape());
      const int64_t positions = layer.input_shape().size() / channels;
      for (int64_t p = 0; p < positions; ++p)
        for (int c : first_in) out.push_back(static_cast<int>(p * channels + c));
    } else if (flow == ChannelFlow::concatenated) {
      int offset = 0;
      for (int source : inputs) {
        for (int c : kept[static_cast<size_t>(tensor_of(source))]) out.push_back(offset + c);
        offset += source < 0 ? last_axis(model.input_shape()) : last_axis(model.layer(source).output_shape());
      }
    } else if (!of_group.empty()) {
      out = of_group;
    } else {
      out = first_in;  // a group without a weighted producer: the channels it reads
    }
    if (is_weighted(layer)) {
      plan.kept_inputs[static_cast<size_t>(i)] = first_in;
      plan.kept_outputs[static_cast<size_t>(i)] = out;
    } else if (flow == ChannelFlow::per_channel || flow == ChannelFlow::depthwise) {
      plan.kept_inputs[static_cast<size_t>(i)] = plan.kept_outputs[static_cast<size_t>(i)] = out;
    }
  }
  return plan;
}

}  // namespace

std::vector<int> structured_keep_counts(const Model& model, float fraction) {
  check_sparsity(fraction);
  const int last = last_weighted_layer(model);
  std::vector<int> counts(static_cast<size_t>(model.num_layers()), -1);
  bool any = false;
  for (int i = 0; i < last; ++i) {
    if (!is_weighted(model.layer(i))) continue;
    const int width = model.layer(i).output_shape()[model.layer(i).output_shape().rank() - 1];
    const int removed = static_cast<int>(std::llround(static_cast<double>(fraction) * width));
    counts[i] = std::max(1, width - removed);
    any = true;
  }
  require(any, "the model has nothing to prune structurally (only the output layer has units or filters)");
  return counts;
}

StructuredPlan plan_structured(const Model& model, const std::vector<int>& keep_counts, NormCriterion criterion) {
  assert(static_cast<int>(keep_counts.size()) == model.num_layers());
  if (!model.is_chain()) return plan_graph(model, keep_counts, criterion);
  const int last = last_weighted_layer(model);
  StructuredPlan plan;
  plan.kept_inputs.resize(static_cast<size_t>(model.num_layers()));
  plan.kept_outputs.resize(static_cast<size_t>(model.num_layers()));
  // Channels of the current activation (its last axis) that survive so far.
  const Shape& input = model.input_shape();
  std::vector<int> kept = all_of(input[input.rank() - 1]);
  for (int i = 0; i < model.num_layers(); ++i) {
    const Layer& layer = model.layer(i);
    const Shape& in_shape = layer.input_shape();
    const int channels = in_shape[in_shape.rank() - 1];
    if (is_weighted(layer)) {
      plan.kept_inputs[i] = kept;
      const int width = layer.output_shape()[layer.output_shape().rank() - 1];
      const int keep = keep_counts[i];
      if (i == last || keep < 0 || keep >= width)
        plan.kept_outputs[i] = all_of(width);
      else
        plan.kept_outputs[i] = strongest(output_norms(model, i, kept, criterion), std::max(1, keep));
      kept = plan.kept_outputs[i];
    } else if (channel_flow(layer) == ChannelFlow::flattened) {
      // NHWC flattening: position p, channel c -> p * C + c.
      const int64_t positions = in_shape.size() / channels;
      std::vector<int> flat;
      flat.reserve(static_cast<size_t>(positions) * kept.size());
      for (int64_t p = 0; p < positions; ++p)
        for (int c : kept) flat.push_back(static_cast<int>(p * channels + c));
      kept = std::move(flat);
    } else if (channel_flow(layer) == ChannelFlow::per_channel || channel_flow(layer) == ChannelFlow::depthwise) {
      plan.kept_inputs[i] = plan.kept_outputs[i] = kept;  // channel c in is channel c out
    } else if (!channels_traceable(model, i)) {
      if (i > last) continue;  // after the logits nothing is removed any more
      refuse_untraceable(model, i);
    }
  }
  return plan;
}

Model shrink_model(const Model& model, const StructuredPlan& plan) {
  std::vector<nlohmann::json> configs = model.layer_configs();
  for (int i = 0; i < model.num_layers(); ++i)
    if (is_weighted(model.layer(i)))
      configs[i][width_key(model.layer(i))] = static_cast<int>(plan.kept_outputs[i].size());
  Rng unused(0);  // every weight is overwritten below
  Model small = Model::from_layer_configs(configs, model.input_shape(), unused);
  const ParamStore& from = model.params();
  ParamStore& to = small.params();
  for (const ParamRef& ref : to.refs) {
    const ParamRef& old = *find_param(model, ref.layer, ref.spec.name);
    const std::vector<int>& kept_out = plan.kept_outputs[ref.layer];
    auto copy = [&](int64_t dst, int64_t src) {
      to.values[ref.offset + dst] = from.values[old.offset + src];
      to.masks[ref.offset + dst] = from.masks[old.offset + src];
    };
    if (ref.spec.shape.rank() == 1) {  // bias [out], or a batch_norm statistic [C]
      for (size_t o = 0; o < kept_out.size(); ++o) copy(static_cast<int64_t>(o), kept_out[o]);
      continue;
    }
    const std::vector<int>& kept_in = plan.kept_inputs[ref.layer];
    // A depthwise kernel [kh, kw, C, 1] follows its channels on the `in` axis; its one multiplier stays.
    const bool depthwise = channel_flow(model.layer(ref.layer)) == ChannelFlow::depthwise;
    const std::vector<int>& kept_cols = depthwise ? all_of(1) : kept_out;
    const KernelView src(old.spec.shape), dst(ref.spec.shape);
    assert(dst.in == static_cast<int64_t>(kept_in.size()) && dst.out == static_cast<int64_t>(kept_cols.size()));
    for (int64_t t = 0; t < dst.outer; ++t)
      for (int64_t a = 0; a < dst.in; ++a)
        for (int64_t b = 0; b < dst.out; ++b) copy(dst.at(t, a, b), src.at(t, kept_in[a], kept_cols[b]));
  }
  small.class_names = model.class_names;
  small.preprocessing = model.preprocessing;
  small.provenance = model.provenance;
  small.name = model.name;
  apply_masks(small);
  return small;
}

Model masked_equivalent(const Model& model, const StructuredPlan& plan) {
  Model copy = model.clone();
  ParamStore& p = copy.params();
  for (const ParamRef& ref : p.refs) {
    // A batch_norm between the layers keeps its numbers: the next layer's inputs are masked anyway.
    if (!is_weighted(copy.layer(ref.layer))) continue;
    const std::vector<int> out_pos = inverse(plan.kept_outputs[ref.layer], ref.spec.shape[ref.spec.shape.rank() - 1]);
    if (ref.spec.shape.rank() == 1) {
      for (int64_t o = 0; o < ref.size(); ++o)
        if (out_pos[o] < 0) p.masks[ref.offset + o] = 0.0f;
      continue;
    }
    const KernelView k(ref.spec.shape);
    const std::vector<int> in_pos = inverse(plan.kept_inputs[ref.layer], k.in);
    for (int64_t t = 0; t < k.outer; ++t)
      for (int64_t i = 0; i < k.in; ++i)
        for (int64_t o = 0; o < k.out; ++o)
          if (in_pos[i] < 0 || out_pos[o] < 0) p.masks[ref.offset + k.at(t, i, o)] = 0.0f;
  }
  apply_masks(copy);
  return copy;
}

Model prune_structured(const Model& model, float fraction, NormCriterion criterion) {
  return shrink_model(model, plan_structured(model, structured_keep_counts(model, fraction), criterion));
}

}  // namespace distillery
