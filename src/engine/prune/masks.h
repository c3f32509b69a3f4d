#pragma once
// Pruning masks over a model's flat ParamStore: which tensors may be pruned,
// how sparse they are, and applying the masks so pruned weights are exactly
// zero. Sparsity here is the fraction of mask zeros (the mask is the truth;
// a weight may also be zero by chance).
#include <cstdint>
#include <vector>

#include "engine/model/model.h"

namespace distillery {

// Indices into params().refs of the prunable tensors (kernels), in model order.
std::vector<int> prunable_refs(const ParamStore& params);
bool has_prunable(const ParamStore& params);

// Mask zeros in one tensor, and their fraction.
int64_t masked_count(const ParamStore& params, const ParamRef& ref);
double tensor_sparsity(const ParamStore& params, const ParamRef& ref);
// Fraction of masked entries over the prunable tensors of layer i (0 if none).
double layer_sparsity(const Model& model, int layer);
// Fraction of masked entries over all prunable tensors together.
double global_sparsity(const ParamStore& params);

// Zeroes the weights whose mask is 0 and tells layers that cache a view of
// their weights (Dense's CSR copy) to rebuild it. Call after changing masks
// or weights outside the training loop.
void apply_masks(Model& model);
// Drops every layer's cached weight view without touching the weights.
void weights_changed(Model& model);
// Resets all masks to 1 (weights that were zeroed stay zero).
void clear_masks(Model& model);

// Throws Error unless 0 <= sparsity < 1 (what every pruning method accepts).
void check_sparsity(float sparsity);

}  // namespace distillery
