// prune_bench: what pruning buys in inference time (a program that prints
// figures, not a test). Sections:
//   1. one Dense layer: dense GEMM vs the CSR kernel at 0-95 % sparsity, batch 1 and 256
//   2. whole models (the MLP and CNN teachers and the ResNet-8 graph
//      teacher, random weights: speed only): structured 50 % / 75 % (on the
//      ResNet, of every channel group its adds tie) and global-magnitude 90 %,
//      batch 1 and 256
// Usage: prune_bench [--quick]   (natively, or `node --no-experimental-fetch prune_bench.js`)
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "bench/bench_util.h"
#include "engine/core/rng.h"
#include "engine/core/settings.h"
#include "engine/kernels/gemm.h"
#include "engine/kernels/sparse_matmul.h"
#include "engine/model/arch_spec.h"
#include "engine/model/model.h"
#include "engine/prune/structured.h"
#include "engine/prune/unstructured.h"

using namespace distillery;

namespace {

bool g_quick = false;  // --quick: 3 samples of >= 2 ms instead of 7 of >= 5 ms

// Milliseconds per call of a and b: the median of 7 samples, each a run of
// calls lasting at least 5 ms, a and b alternating so a burst of load hits
// both. Timed on the CPU clock of bench_util.h (this thread natively, the
// Node process in WebAssembly), with the kernels on one thread: on this
// shared 2-core machine wall time moves by +-50 % between runs.
template <typename FnA, typename FnB>
std::pair<double, double> per_call_ms(FnA&& a, FnB&& b) {
  const int samples = g_quick ? 3 : 7;
  const double min_seconds = g_quick ? 0.002 : 0.005;
  auto calls_for = [min_seconds](auto& fn) {
    int calls = 1;
    for (;;) {
      const double start = bench::cpu_seconds();
      for (int i = 0; i < calls; ++i) fn();
      if (bench::cpu_seconds() - start >= min_seconds || calls >= (1 << 20)) return calls;
      calls *= 2;
    }
  };
  const int calls_a = calls_for(a), calls_b = calls_for(b);
  std::vector<double> ta, tb;
  for (int sample = 0; sample < samples; ++sample) {
    double start = bench::cpu_seconds();
    for (int i = 0; i < calls_a; ++i) a();
    ta.push_back(1e3 * (bench::cpu_seconds() - start) / calls_a);
    start = bench::cpu_seconds();
    for (int i = 0; i < calls_b; ++i) b();
    tb.push_back(1e3 * (bench::cpu_seconds() - start) / calls_b);
  }
  return {bench::median(ta), bench::median(tb)};
}

std::vector<float> random_values(int64_t n, uint64_t seed) {
  Rng rng(seed);
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = rng.uniform(-1.0f, 1.0f);
  return v;
}

// A random kernel with exactly round(sparsity * n) zeros at random places.
std::vector<float> pruned_kernel(int in, int out, float sparsity, uint64_t seed) {
  std::vector<float> w = random_values(static_cast<int64_t>(in) * out, seed);
  std::vector<int64_t> order(w.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int64_t>(i);
  Rng rng(seed + 1);
  rng.shuffle(order);
  const auto zeros = static_cast<size_t>(sparsity * static_cast<double>(w.size()) + 0.5);
  for (size_t k = 0; k < zeros; ++k) w[order[k]] = 0.0f;
  return w;
}

void dense_layer_section() {
  std::printf("## Dense layer: dense GEMM vs CSR kernel (ms per forward, CPU time, median)\n\n");
  std::printf("| layer | batch | sparsity | dense ms | CSR ms | speedup | dense KB | CSR KB |\n");
  std::printf("|---|---|---|---|---|---|---|---|\n");
  struct Shape2 {
    int in, out;
  };
  const Shape2 shapes[] = {{784, 256}, {256, 128}, {1024, 1024}};
  const float sparsities[] = {0.0f, 0.5f, 0.6f, 0.7f, 0.8f, 0.9f, 0.95f};
  for (const Shape2& s : shapes)
    for (int batch : {1, 256}) {
      const std::vector<float> x = random_values(static_cast<int64_t>(batch) * s.in, 3);
      const std::vector<float> bias = random_values(s.out, 4);
      std::vector<float> y(static_cast<size_t>(batch) * s.out), workspace;
      for (float sparsity : sparsities) {
        const std::vector<float> w = pruned_kernel(s.in, s.out, sparsity, 7);
        const CsrMatrix csr = csr_from_dense_kernel(w.data(), s.in, s.out);
        const auto [dense_ms, csr_ms] = per_call_ms(
            [&] {
              gemm(false, false, batch, s.out, s.in, 1.0f, x.data(), s.in, w.data(), s.out, 0.0f, y.data(), s.out);
              for (int n = 0; n < batch; ++n)
                for (int o = 0; o < s.out; ++o) y[static_cast<size_t>(n) * s.out + o] += bias[o];
            },
            [&] { csr_dense_forward(csr, x.data(), batch, bias.data(), y.data(), workspace); });
        std::printf("| %dx%d | %d | %.0f %% | %.4f | %.4f | %.2fx | %.0f | %.0f |\n", s.in, s.out, batch,
                    100.0 * sparsity, dense_ms, csr_ms, dense_ms / csr_ms,
                    dense_kernel_bytes(static_cast<int64_t>(s.in) * s.out) / 1024.0, csr.bytes() / 1024.0);
      }
    }
  std::printf("\n");
}

Tensor random_batch(const Shape& per_sample, int n) {
  Tensor t(per_sample.with_batch(n));
  const std::vector<float> v = random_values(t.size(), 9);
  std::copy(v.begin(), v.end(), t.data());
  return t;
}

Model build(const std::string& spec) {
  Rng rng(1);
  Model m = Model::from_layer_configs(parse_arch_spec(spec, 10), Shape{28, 28, 1}, rng);
  return m;
}

void model_row(const char* name, const char* pruning, Model& before, Model& after) {
  const Tensor x1 = random_batch(before.input_shape(), 1), x256 = random_batch(before.input_shape(), 256);
  const auto [b1, a1] = per_call_ms([&] { before.forward(x1, false); }, [&] { after.forward(x1, false); });
  const auto [b256, a256] = per_call_ms([&] { before.forward(x256, false); }, [&] { after.forward(x256, false); });
  std::printf("| %s | %s | %lld | %lld | %.4f | %.4f | %.2fx | %.3f | %.3f | %.2fx |\n", name, pruning,
              static_cast<long long>(after.parameter_count()), static_cast<long long>(after.nonzero_parameter_count()),
              b1, a1, b1 / a1, b256, a256, b256 / a256);
}

void model_section() {
  std::printf("## Whole models: inference before -> after pruning (ms per forward, CPU time, median)\n\n");
  std::printf(
      "| model | pruning | params | nonzero | batch 1 before | after | speedup | batch 256 before | after | "
      "speedup |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|---|\n");
  struct Arch {
    const char* name;
    const char* spec;
  };
  const Arch archs[] = {
      {"MLP dense:256,dense:128", "dense:256,dense:128"},
      {"CNN conv:32:3,pool:2,conv:64:3,pool:2,dense:128", "conv:32:3,pool:2,conv:64:3,pool:2,dense:128"},
      {"ResNet-8 conv:16:3,res:16,res:32:2,res:64:2,gap", "conv:16:3,res:16,res:32:2,res:64:2,gap"}};
  for (const Arch& a : archs) {
    Model base = build(a.spec);
    for (float fraction : {0.5f, 0.75f}) {
      Model small = prune_structured(base, fraction, NormCriterion::l2);
      const std::string label = "structured " + std::to_string(static_cast<int>(fraction * 100)) + " %";
      model_row(a.name, label.c_str(), base, small);
    }
    Model sparse = base.clone();
    prune_global_magnitude(sparse, 0.9f);
    model_row(a.name, "global 90 % (CSR dense layers)", base, sparse);
  }
  std::printf("\n");
}

}  // namespace

int main(int argc, char** argv) {
  g_quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  set_thread_count(1);  // single-thread figures: the CPU clock then measures all the work
#ifdef __EMSCRIPTEN__
  const char* platform = "WebAssembly";
#else
  const char* platform = "native";
#endif
  std::printf("# prune_bench (%s); Dense layers use CSR from sparsity %.2f at batch 1, %.2f for batches\n\n", platform,
              sparse_dense_threshold(1), sparse_dense_threshold(2));
  dense_layer_section();
  model_section();
  return 0;
}
