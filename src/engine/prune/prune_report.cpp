// Pruning report (see prune_report.h).
//   - latency measurement: best of repeated inference forwards, before/after interleaved
//   - build_prune_report: per weighted layer, then the whole model
//   - formatting: terminal table and JSON
#include "engine/prune/prune_report.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <tuple>
#include <utility>

#include "engine/core/rng.h"
#include "engine/kernels/sparse_matmul.h"
#include "engine/layers/dense.h"

namespace distillery {
namespace {

// Best (minimum) milliseconds of each of two functions over `repeats` rounds,
// alternating them so both see the same machine load; the minimum is the
// figure least disturbed by other processes on a shared machine.
template <typename FnA, typename FnB>
std::pair<double, double> best_ms_pair(int repeats, FnA&& a, FnB&& b) {
  a();  // warm-up: sizes workspaces, builds a CSR copy
  b();
  double best_a = 1e300, best_b = 1e300;
  for (int r = 0; r < std::max(1, repeats); ++r) {
    auto start = std::chrono::steady_clock::now();
    a();
    best_a =
        std::min(best_a, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    start = std::chrono::steady_clock::now();
    b();
    best_b =
        std::min(best_b, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  return {best_a, best_b};
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
  return best_ms_pair(
             repeats, [&] { layer.forward(input, output, false); }, [] {})
      .first;
}

double measure_model_latency_ms(Model& model, int batch, int repeats) {
  const Tensor input = random_input(model.input_shape(), batch);
  return best_ms_pair(
             repeats, [&] { model.forward(input, false); }, [] {})
      .first;
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
    const Tensor input = random_input(before.layer(i).input_shape(), 1);
    const Tensor input_after = random_input(after.layer(i).input_shape(), 1);
    Tensor out_before, out_after;
    std::tie(l.latency_before_ms, l.latency_after_ms) = best_ms_pair(
        repeats, [&] { before.layer(i).forward(input, out_before, false); },
        [&] { after.layer(i).forward(input_after, out_after, false); });
    report.layers.push_back(l);
  }
  report.params_before = before.parameter_count();
  report.params_after = after.parameter_count();
  report.nonzero_before = before.nonzero_parameter_count();
  report.nonzero_after = after.nonzero_parameter_count();
  for (int batch : {1, 256}) {
    const Tensor x = random_input(before.input_shape(), batch);
    const auto [b, a] = best_ms_pair(
        batch == 1 ? repeats : std::max(3, repeats / 5), [&] { before.forward(x, false); },
        [&] { after.forward(x, false); });
    (batch == 1 ? report.latency_before_ms : report.batch_latency_before_ms) = b;
    (batch == 1 ? report.latency_after_ms : report.batch_latency_after_ms) = a;
  }
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
                static_cast<long long>(r.nonzero_before), static_cast<long long>(r.nonzero_after), r.latency_before_ms,
                r.latency_after_ms, r.latency_before_ms / std::max(1e-9, r.latency_after_ms), r.batch_latency_before_ms,
                r.batch_latency_after_ms, r.batch_latency_before_ms / std::max(1e-9, r.batch_latency_after_ms));
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
