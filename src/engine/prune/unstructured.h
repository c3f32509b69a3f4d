#pragma once
// Unstructured pruning: masks individual kernel weights. Every method only
// chooses among weights that are still unmasked and never unmasks one, so
// pruning again to a higher sparsity (iterative and gradual schedules) is
// monotone. Counts are exact: a target s over n weights masks round(s * n);
// equal magnitudes are broken by position, so results are deterministic.
//
//   prune_magnitude(model, 0.8f);          // each kernel 80 % sparse
//   prune_global_magnitude(model, 0.9f);   // one threshold, 90 % overall
//   prune_random(model, 0.5f, seed);       // the write-up's baseline
#include <cstdint>
#include <string>

#include "engine/model/model.h"
#include "engine/prune/prune_choices.h"

namespace distillery {

// Per tensor: each prunable tensor loses its smallest-|w| weights until its
// mask reaches the target sparsity.
void prune_magnitude(Model& model, float sparsity);
// Global: one magnitude threshold over all prunable tensors together; the
// total masked count is exact, layers end up with different sparsities.
void prune_global_magnitude(Model& model, float sparsity);
// Per tensor, weights chosen uniformly at random (seeded).
void prune_random(Model& model, float sparsity, uint64_t seed);

// Magnitude, global or random; throws Error for structured (not a mask), a
// sparsity outside [0, 1) or a model with nothing prunable.
void prune_unstructured(Model& model, PruneMethod method, float sparsity, uint64_t seed);

}  // namespace distillery
