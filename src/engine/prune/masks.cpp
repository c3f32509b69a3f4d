#include "engine/prune/masks.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "engine/core/error.h"

namespace distillery {

std::vector<int> prunable_refs(const ParamStore& params) {
  std::vector<int> out;
  for (int r = 0; r < static_cast<int>(params.refs.size()); ++r)
    if (params.refs[r].spec.prunable) out.push_back(r);
  return out;
}

bool has_prunable(const ParamStore& params) { return !prunable_refs(params).empty(); }

int64_t masked_count(const ParamStore& params, const ParamRef& ref) {
  const auto begin = params.masks.begin() + ref.offset;
  return std::count(begin, begin + ref.size(), 0.0f);
}

double tensor_sparsity(const ParamStore& params, const ParamRef& ref) {
  return ref.size() ? static_cast<double>(masked_count(params, ref)) / static_cast<double>(ref.size()) : 0.0;
}

double layer_sparsity(const Model& model, int layer) {
  int64_t masked = 0, total = 0;
  for (int r : model.param_refs_of_layer(layer)) {
    const ParamRef& ref = model.params().refs[r];
    if (!ref.spec.prunable) continue;
    masked += masked_count(model.params(), ref);
    total += ref.size();
  }
  return total ? static_cast<double>(masked) / static_cast<double>(total) : 0.0;
}

double global_sparsity(const ParamStore& params) {
  int64_t masked = 0, total = 0;
  for (int r : prunable_refs(params)) {
    masked += masked_count(params, params.refs[r]);
    total += params.refs[r].size();
  }
  return total ? static_cast<double>(masked) / static_cast<double>(total) : 0.0;
}

void weights_changed(Model& model) {
  for (int i = 0; i < model.num_layers(); ++i)
    model.layer(i).weights_changed();
}

void apply_masks(Model& model) {
  model.params().apply_masks();
  weights_changed(model);
}

void clear_masks(Model& model) {
  std::fill(model.params().masks.begin(), model.params().masks.end(), 1.0f);
  weights_changed(model);
}

void check_sparsity(float sparsity) {
  if (std::isfinite(sparsity) && sparsity >= 0.0f && sparsity < 1.0f) return;
  std::ostringstream message;
  message << "sparsity must be in [0, 1), got " << sparsity;
  throw Error(message.str());
}

}  // namespace distillery
