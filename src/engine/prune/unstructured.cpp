// Unstructured pruning (see unstructured.h).
//   - candidates: the still-unmasked entries of a range of the flat buffer
//   - mask_smallest: exact k smallest by (|w|, position) with nth_element
//   - the three methods and the dispatcher
#include "engine/prune/unstructured.h"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "engine/core/error.h"
#include "engine/core/rng.h"
#include "engine/prune/masks.h"

namespace distillery {
namespace {

// (|w|, flat index): ordering by both makes ties deterministic.
using Candidate = std::pair<float, int64_t>;

int64_t target_count(float sparsity, int64_t size) {
  return std::min<int64_t>(size, std::llround(static_cast<double>(sparsity) * static_cast<double>(size)));
}

void add_candidates(const ParamStore& p, const ParamRef& ref, std::vector<Candidate>& out) {
  for (int64_t i = ref.offset; i < ref.offset + ref.size(); ++i)
    if (p.masks[i] != 0.0f) out.emplace_back(std::fabs(p.values[i]), i);
}

// Masks the `count` candidates with the smallest (|w|, index).
void mask_smallest(ParamStore& p, std::vector<Candidate>& candidates, int64_t count) {
  if (count <= 0) return;
  count = std::min<int64_t>(count, static_cast<int64_t>(candidates.size()));
  std::nth_element(candidates.begin(), candidates.begin() + (count - 1), candidates.end());
  for (int64_t k = 0; k < count; ++k) p.masks[candidates[k].second] = 0.0f;
}

void require_prunable(const Model& model) {
  require(has_prunable(model.params()), "the model has nothing to prune (no dense or conv2d kernels)");
}

}  // namespace

void prune_magnitude(Model& model, float sparsity) {
  check_sparsity(sparsity);
  require_prunable(model);
  ParamStore& p = model.params();
  std::vector<Candidate> candidates;
  for (int r : prunable_refs(p)) {
    const ParamRef& ref = p.refs[r];
    candidates.clear();
    add_candidates(p, ref, candidates);
    mask_smallest(p, candidates, target_count(sparsity, ref.size()) - masked_count(p, ref));
  }
  apply_masks(model);
}

void prune_global_magnitude(Model& model, float sparsity) {
  check_sparsity(sparsity);
  require_prunable(model);
  ParamStore& p = model.params();
  std::vector<Candidate> candidates;
  int64_t total = 0, masked = 0;
  for (int r : prunable_refs(p)) {
    add_candidates(p, p.refs[r], candidates);
    total += p.refs[r].size();
    masked += masked_count(p, p.refs[r]);
  }
  mask_smallest(p, candidates, target_count(sparsity, total) - masked);
  apply_masks(model);
}

void prune_random(Model& model, float sparsity, uint64_t seed) {
  check_sparsity(sparsity);
  require_prunable(model);
  ParamStore& p = model.params();
  Rng rng(seed);
  std::vector<int64_t> unmasked;
  for (int r : prunable_refs(p)) {
    const ParamRef& ref = p.refs[r];
    unmasked.clear();
    for (int64_t i = ref.offset; i < ref.offset + ref.size(); ++i)
      if (p.masks[i] != 0.0f) unmasked.push_back(i);
    const int64_t count = std::min<int64_t>(target_count(sparsity, ref.size()) - masked_count(p, ref),
                                            static_cast<int64_t>(unmasked.size()));
    // Partial Fisher-Yates: the first `count` entries become a uniform sample.
    for (int64_t k = 0; k < count; ++k) {
      const int64_t pick = k + rng.below(static_cast<uint32_t>(unmasked.size() - k));
      std::swap(unmasked[k], unmasked[pick]);
      p.masks[unmasked[k]] = 0.0f;
    }
  }
  apply_masks(model);
}

void prune_unstructured(Model& model, PruneMethod method, float sparsity, uint64_t seed) {
  switch (method) {
    case PruneMethod::kMagnitude: return prune_magnitude(model, sparsity);
    case PruneMethod::kGlobal: return prune_global_magnitude(model, sparsity);
    case PruneMethod::kRandom: return prune_random(model, sparsity, seed);
    case PruneMethod::kStructured: break;
  }
  throw Error("structured pruning removes units, not weights: use prune_structured");
}

}  // namespace distillery
