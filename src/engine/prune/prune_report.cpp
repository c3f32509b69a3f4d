// Pruning report (see prune_report.h).
//   - latency measurement: median of repeated inference forwards
//   - build_prune_report: per weighted layer, then the whole model
//   - formatting: terminal table and JSON
#include "engine/prune/prune_report.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "engine/core/rng.h"
#include "engine/kernels/sparse_matmul.h"
#include "engine/layers/dense.h"

namespace distillery {
namespace {

template <typename Fn>
double median_ms(int repeats, Fn&& fn) {
  fn();  // warm-up: sizes workspaces, builds a CSR copy
  std::vector<double> times;
  for (int r = 0; r < std::max(1, repeats); ++r) {
    const auto start = std::chrono::steady_clock::now();
    fn();
    times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::nth_element(times.begin(), times.begin() + times.size() / 2, times.end());
  return times[times.size() / 2];
}

Tensor random_input(const Shape& per_sample, int batch) {
  Tensor t(per_sample.with_batch(batch));
  Rng rng(7);
  for (int64_t i = 0; i < t.size(); ++i) t[i] = rng.uniform();
  return t;
}

const ParamRef* kernel_of(const Model& model, int layer) {
  for (int r : model.param_refs_of_layer(layer))
    if (model.params().refs[r].spec.prunable) return &model.params().refs[r];
  return nullptr;
}

int64_t layer_params(const Model& model, int layer) {
  int64_t n = 0;
  for (int r : model.param_refs_of_layer(layer)) n += model.params().refs[r].size();
  return n;
}

}  // namespace

double measure_layer_latency_ms(Layer& layer, int batch, int repeats) {
  const Tensor input = random_input(layer.input_shape(), batch);
  Tensor output;
  return median_ms(repeats, [&] { layer.forward(input, output, false); });
}

double measure_model_latency_ms(Model& model, int batch, int repeats) {
  const Tensor input = random_input(model.input_shape(), batch);
  return median_ms(repeats, [&] { model.forward(input, false); });
}

PruneReport build_prune_report(Model& before, Model& after, int repeats) {
  PruneReport report;
  const int layers = std::min(before.num_layers(), after.num_layers());
  for (int i = 0; i < layers; ++i) {
    const ParamRef* k_before = kernel_of(before, i);
    const ParamRef* k_after = kernel_of(after, i);
    if (!k_before || !k_after) continue;
    LayerPruneReport l;
    l.layer = i;
    l.type = after.layer(i).type();
    l.kernel_before = k_before->spec.shape;
    l.kernel_after = k_after->spec.shape;
    l.params_before = layer_params(before, i);
    l.params_after = layer_params(after, i);
    const float* w = after.params().values.data() + k_after->offset;
    l.kernel_nonzeros = k_after->size() - std::count(w, w + k_after->size(), 0.0f);
    l.sparsity = 1.0 - static_cast<double>(l.kernel_nonzeros) / static_cast<double>(k_after->size());
    l.dense_bytes = dense_kernel_bytes(k_after->size());
    // CSR: a value and a column index per non-zero, one offset per output (+1).
    const Shape& s = k_after->spec.shape;
    l.csr_bytes = l.kernel_nonzeros * 8 + (static_cast<int64_t>(s[s.rank() - 1]) + 1) * 4;
    if (auto* dense = dynamic_cast<Dense*>(&after.layer(i))) l.sparse_kernel = dense->uses_sparse_kernel();
    l.latency_before_ms = measure_layer_latency_ms(before.layer(i), 1, repeats);
    l.latency_after_ms = measure_layer_latency_ms(after.layer(i), 1, repeats);
    report.layers.push_back(l);
  }
  report.params_before = before.parameter_count();
  report.params_after = after.parameter_count();
  report.nonzero_before = before.nonzero_parameter_count();
  report.nonzero_after = after.nonzero_parameter_count();
  report.latency_before_ms = measure_model_latency_ms(before, 1, repeats);
  report.latency_after_ms = measure_model_latency_ms(after, 1, repeats);
  const int batch_repeats = std::max(3, repeats / 5);
  report.batch_latency_before_ms = measure_model_latency_ms(before, 256, batch_repeats);
  report.batch_latency_after_ms = measure_model_latency_ms(after, 256, batch_repeats);
  return report;
}

std::string format_prune_report(const PruneReport& r) {
  std::string out;
  char line[256];
  std::snprintf(line, sizeof line, "%-5s %-7s %-18s %-18s %9s %8s %10s %10s %-5s %10s %10s\n", "layer", "type",
                "kernel before", "kernel after", "nonzeros", "sparsity", "dense KB", "CSR KB", "path", "before ms",
                "after ms");
  out += line;
  for (const auto& l : r.layers) {
    std::snprintf(line, sizeof line, "%-5d %-7s %-18s %-18s %9lld %7.1f%% %10.1f %10.1f %-5s %10.4f %10.4f\n", l.layer,
                  l.type.c_str(), l.kernel_before.str().c_str(), l.kernel_after.str().c_str(),
                  static_cast<long long>(l.kernel_nonzeros), 100.0 * l.sparsity, l.dense_bytes / 1024.0,
                  l.csr_bytes / 1024.0, l.sparse_kernel ? "csr" : "dense", l.latency_before_ms, l.latency_after_ms);
    out += line;
  }
  std::snprintf(line, sizeof line,
                "model: params %lld -> %lld, nonzero %lld -> %lld; latency batch 1 %.4f -> %.4f ms (%.2fx), "
                "batch 256 %.3f -> %.3f ms (%.2fx)\n",
                static_cast<long long>(r.params_before), static_cast<long long>(r.params_after),
                static_cast<long long>(r.nonzero_before), static_cast<long long>(r.nonzero_after),
                r.latency_before_ms, r.latency_after_ms, r.latency_before_ms / std::max(1e-9, r.latency_after_ms),
                r.batch_latency_before_ms, r.batch_latency_after_ms,
                r.batch_latency_before_ms / std::max(1e-9, r.batch_latency_after_ms));
  out += line;
  return out;
}

nlohmann::json prune_report_json(const PruneReport& r) {
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& l : r.layers)
    layers.push_back({{"layer", l.layer},
                      {"type", l.type},
                      {"kernel_before", l.kernel_before.dims},
                      {"kernel_after", l.kernel_after.dims},
                      {"params_before", l.params_before},
                      {"params_after", l.params_after},
                      {"nonzeros", l.kernel_nonzeros},
                      {"sparsity", l.sparsity},
                      {"dense_bytes", l.dense_bytes},
                      {"csr_bytes", l.csr_bytes},
                      {"sparse_kernel", l.sparse_kernel},
                      {"latency_before_ms", l.latency_before_ms},
                      {"latency_after_ms", l.latency_after_ms}});
  return {{"layers", layers},
          {"params_before", r.params_before},
          {"params_after", r.params_after},
          {"nonzero_before", r.nonzero_before},
          {"nonzero_after", r.nonzero_after},
          {"latency_before_ms", r.latency_before_ms},
          {"latency_after_ms", r.latency_after_ms},
          {"batch_latency_before_ms", r.batch_latency_before_ms},
          {"batch_latency_after_ms", r.batch_latency_after_ms}};
}

}  // namespace distillery
