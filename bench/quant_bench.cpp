// Inference speed of int8 against float: samples/s of QuantizedModel::forward
// (int8 GEMM, kernels/gemm_int8.h) and Model::forward (float gemm: Eigen
// natively, the WASM SIMD kernel in WebAssembly) on one thread, at batch 64
// and 1, for the MLP 784-256-128-10, the small CNN
// conv:8:3,pool:2,conv:16:3,pool:2,dense:32 and the ResNet-8 graph
// conv:16:3,res:16,res:32:2,res:64:2,gap (BatchNorm folded, int8 adds).
//
//   quant_bench [--quick]   prints a table, then one JSON line (the last line)
//
// Each figure is the median of 5 repetitions of >= 200 ms (50 ms with
// --quick) on the CPU clock (bench_util.h); float and int8 alternate within
// each repetition so a burst of load hits both.
#include <cstring>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/bench_util.h"
#include "engine/core/settings.h"
#include "engine/data/batch.h"
#include "engine/kernels/gemm.h"
#include "engine/kernels/gemm_int8.h"
#include "engine/model/arch_spec.h"
#include "engine/quant/quantized_model.h"

using namespace distillery;
using namespace distillery::bench;

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  const double min_seconds = quick ? 0.05 : 0.2;
  const int reps = 5;
  set_thread_count(1);

  const Dataset images = synthetic_images(512, 10, 3);
  std::vector<int> all(images.size());
  for (int i = 0; i < images.size(); ++i) all[size_t(i)] = i;
  Tensor calibration;
  gather_batch(images, all.data(), 256, Preprocessing{}, calibration);

  struct Row {
    std::string model;
    int batch;
    double float_rate, int8_rate;
  };
  std::vector<Row> rows;
  const std::pair<const char*, const char*> models[] = {{"mlp 784-256-128-10", "dense:256,dense:128"},
                                                        {"cnn_small", "conv:8:3,pool:2,conv:16:3,pool:2,dense:32"},
                                                        {"resnet8", "conv:16:3,res:16,res:32:2,res:64:2,gap"}};
  for (const auto& [name, spec] : models) {
    Rng rng(1);
    Model model = Model::from_layer_configs(parse_arch_spec(spec, 10), Shape{28, 28, 1}, rng);
    QuantizedModel q = quantize_model(model, calibration, {QuantMode::Int8});
    for (int batch : {64, 1}) {
      Tensor input;
      gather_batch(images, all.data() + 256, batch, Preprocessing{}, input);
      std::vector<double> f, i8;
      for (int r = 0; r < reps; ++r) {
        f.push_back(batch * rate([&] { model.forward(input, false); }, min_seconds, Clock::kCpu));
        i8.push_back(batch * rate([&] { q.forward(input); }, min_seconds, Clock::kCpu));
      }
      rows.push_back({name, batch, median(f), median(i8)});
    }
  }

  // The kernels alone on the MLP's first product (64 x 784 times 784 x 256): what the GEMM gives before
  // the rest of a forward pass (quantizing the input, epilogues, other layers) takes its share.
  {
    const int m = 64, n = 256, k = 784;
    Rng rng(5);
    std::vector<float> af(size_t(m) * k), bf(size_t(k) * n), cf(size_t(m) * n);
    std::vector<int8_t> a8(af.size()), w8(bf.size());
    std::vector<int32_t> c32(cf.size());
    for (size_t i = 0; i < af.size(); ++i) a8[i] = int8_t(int(rng.below(255)) - 127), af[i] = a8[i];
    for (size_t i = 0; i < bf.size(); ++i) w8[i] = int8_t(int(rng.below(255)) - 127), bf[i] = w8[i];
    std::vector<double> f, i8;
    for (int r = 0; r < reps; ++r) {
      f.push_back(rate([&] { gemm(false, false, m, n, k, 1.0f, af.data(), k, bf.data(), n, 0.0f, cf.data(), n); },
                       min_seconds, Clock::kCpu));
      i8.push_back(rate([&] { gemm_s8_s32(m, n, k, a8.data(), k, w8.data(), k, c32.data(), n); }, min_seconds,
                        Clock::kCpu));
    }
    const double macs = double(m) * n * k;
    rows.push_back({"gemm 64x784x256 only", m, median(f) * m, median(i8) * m});
    std::printf("kernels alone: float %.1f GMAC/s, int8 %.1f GMAC/s\n", median(f) * macs * 1e-9,
                median(i8) * macs * 1e-9);
  }

  std::printf("int8 vs float inference, one thread, %s, clock %s, int8 kernel %s\n", platform_name(),
              cpu_clock_name(), gemm_int8_kernel_name());
  std::printf("%-20s %6s %14s %14s %8s\n", "model", "batch", "float samp/s", "int8 samp/s", "int8/fp");
  nlohmann::json out = nlohmann::json::array();
  for (const Row& r : rows) {
    std::printf("%-20s %6d %14.0f %14.0f %8.2f\n", r.model.c_str(), r.batch, r.float_rate, r.int8_rate,
                r.int8_rate / r.float_rate);
    out.push_back({{"model", r.model},
                   {"batch", r.batch},
                   {"float_samples_per_s", r.float_rate},
                   {"int8_samples_per_s", r.int8_rate},
                   {"int8_over_float", r.int8_rate / r.float_rate}});
  }
  std::printf("%s\n", nlohmann::json{{"platform", platform_name()}, {"rows", out}}.dump().c_str());
  return 0;
}
