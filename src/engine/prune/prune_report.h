#pragma once
// What pruning bought, per weighted layer and for the whole model: sparsity,
// non-zeros, dense vs CSR bytes of the kernel, and measured batch-1 latency of
// the layer before and after (the pruned Dense layer runs its CSR kernel when
// it is past the sparsity threshold). Works for masked models (same layers)
// and structured-pruned ones (same layer list, fewer units).
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/model/model.h"

namespace distillery {

struct LayerPruneReport {
  int layer = 0;
  std::string type;
  Shape kernel_before, kernel_after;
  int64_t params_before = 0, params_after = 0;  // all of the layer's parameters
  int64_t kernel_nonzeros = 0;                  // after
  double sparsity = 0;                          // after: fraction of zeros in the kernel as stored
  int64_t dense_bytes = 0;                      // the kernel after, stored dense
  int64_t csr_bytes = 0;                        // the kernel after, stored as CSR
  bool sparse_kernel = false;                   // inference runs through the CSR kernel
  double latency_before_ms = 0, latency_after_ms = 0;
};

struct PruneReport {
  std::vector<LayerPruneReport> layers;
  int64_t params_before = 0, params_after = 0;
  int64_t nonzero_before = 0, nonzero_after = 0;
  double latency_before_ms = 0, latency_after_ms = 0;              // whole model, batch 1, best of the repeats
  double batch_latency_before_ms = 0, batch_latency_after_ms = 0;  // whole model, batch of 256, best
};

// Measures both models (repeats = timed runs per figure, before and after
// alternating; the minimum is kept: on a shared machine it is the figure
// other processes disturb least).
// before and after must have the same layer list (types), as every pruning
// method produces.
PruneReport build_prune_report(Model& before, Model& after, int repeats = 30);

// Best milliseconds of one layer's inference forward on `batch` random samples.
double measure_layer_latency_ms(Layer& layer, int batch, int repeats);
// Best milliseconds of a whole-model inference forward on `batch` samples.
double measure_model_latency_ms(Model& model, int batch, int repeats);

// A fixed-width table for the terminal, and the same figures as JSON.
std::string format_prune_report(const PruneReport& report);
nlohmann::json prune_report_json(const PruneReport& report);

}  // namespace distillery
