#pragma once
// Structured pruning: removes whole Dense units and Conv2D filters, ranked by
// the L1 or L2 norm of their kernel slice, and rebuilds a physically smaller
// model. The next weighted layer loses the matching inputs, through
// activations, pooling, dropout, batch_norm (which loses the channels'
// statistics too) and depthwise_conv2d (which loses the channels' filters and
// biases: it couples input channel c to output channel c), and across Flatten (conv filter c of an
// [H, W, C] map feeds the dense inputs (h * W + w) * C + c). The last weighted
// layer (the logits) is never shrunk.
//
//   StructuredPlan plan = plan_structured(model, structured_keep_counts(model, 0.5f), NormCriterion::l2);
//   Model small = shrink_model(model, plan);        // fewer units, copied weights
//   Model same = masked_equivalent(model, plan);    // same shapes, removed units zeroed
//   // before any fine-tuning, small and same give the same logits
#include <string>
#include <vector>

#include "engine/model/model.h"
#include "engine/prune/prune_choices.h"

namespace distillery {


struct StructuredPlan {
  // Per layer of the model (empty for layers without weights): which input
  // channels/features and which output units/filters the layer keeps, in
  // increasing order. The logits layer keeps all its outputs.
  std::vector<std::vector<int>> kept_inputs;
  std::vector<std::vector<int>> kept_outputs;
};

// Units/filters each layer keeps when `fraction` of them is removed
// (round(fraction * n), keeping at least one); -1 for layers that are not
// shrunk (no weights, or the logits layer). Throws Error for a fraction outside
// [0, 1) or a model with no shrinkable layer.
std::vector<int> structured_keep_counts(const Model& model, float fraction);

// Chooses the units/filters to keep (largest norms; equal norms keep the lower
// index). keep_counts[i] < 0 or >= the layer's width keeps everything. Throws
// Error naming a layer that channels cannot be traced through.
StructuredPlan plan_structured(const Model& model, const std::vector<int>& keep_counts, NormCriterion criterion);

// The smaller model: same layer list with fewer units/filters, kept weights and
// masks copied, metadata (class names, preprocessing, provenance, name) kept.
Model shrink_model(const Model& model, const StructuredPlan& plan);
// A copy of the model with the removed units masked out: their kernel columns,
// biases and the next layer's matching input rows are zero.
Model masked_equivalent(const Model& model, const StructuredPlan& plan);

// plan + shrink in one call.
Model prune_structured(const Model& model, float fraction, NormCriterion criterion);

}  // namespace distillery
