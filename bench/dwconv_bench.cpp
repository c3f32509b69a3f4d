// Depthwise convolution speed, one thread, on MobileNet-sized layers: the
// depthwise_conv2d layer's forward and backward (engine/kernels/depthwise_conv.h:
// auto-vectorised natively, f32x4 under WebAssembly SIMD) against
//   - the same loops one channel at a time without vectorisation (dwconv_scalar.cpp),
//   - a conv2d with C filters of the same window (im2col + GEMM), which a block-diagonal
//     kernel turns into the same function: what the model would run without the layer.
//
//   dwconv_bench [--quick]   prints a table, then one JSON line (the last line)
//
// Each figure is the median of 5 repetitions of >= 200 ms (50 ms with --quick)
// on the CPU clock (bench_util.h); the variants alternate within each repetition
// so a burst of load hits all of them. Ratios are within one run.
#include <cstring>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/bench_util.h"
#include "bench/dwconv_scalar.h"
#include "engine/core/settings.h"
#include "engine/layers/depthwise_conv2d.h"
#include "engine/layers/layer_registry.h"

using namespace distillery;
using namespace distillery::bench;

namespace {

// A layer built on `input` and bound to buffers of random weights owned here.
struct Bound {
  LayerPtr layer;
  std::vector<std::vector<float>> params, grads;
  Bound(const nlohmann::json& config, const Shape& input, Rng& rng) : layer(LayerRegistry::instance().create(config)) {
    layer->build(input);
    std::vector<float*> p, g;
    for (const ParamSpec& spec : layer->param_specs()) {
      params.emplace_back(size_t(spec.shape.size()));
      grads.emplace_back(size_t(spec.shape.size()), 0.0f);
      for (float& v : params.back()) v = rng.uniform(-0.5f, 0.5f);
    }
    for (size_t i = 0; i < params.size(); ++i) p.push_back(params[i].data()), g.push_back(grads[i].data());
    layer->bind(p, g);
  }
};

struct Case {
  const char* name;
  int h, w, c, stride;
};

}  // namespace

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  const double min_seconds = quick ? 0.05 : 0.2;
  const int reps = 5, batch = 32;
  set_thread_count(1);

  const Case cases[] = {{"28x28x32 3x3 s1", 28, 28, 32, 1},
                        {"14x14x64 3x3 s1", 14, 14, 64, 1},
                        {"28x28x16 3x3 s2", 28, 28, 16, 2}};
  nlohmann::json rows = nlohmann::json::array();
  std::printf("depthwise 3x3 'same', batch %d, one thread, %s, clock %s; samples/s (median of %d)\n", batch,
              platform_name(), cpu_clock_name(), reps);
  std::printf("%-18s %10s %10s %10s %10s %8s %8s %8s\n", "layer", "dw fwd", "scalar", "conv2d", "dw f+b", "GFLOP/s",
              "dw/scal", "dw/conv");
  for (const Case& k : cases) {
    Rng rng(1);
    const Shape input{k.h, k.w, k.c};
    const nlohmann::json dw_config{{"type", "depthwise_conv2d"}, {"kernel_size", 3}, {"strides", k.stride},
                                   {"padding", "same"}};
    nlohmann::json conv_config = dw_config;
    conv_config["type"] = "conv2d";
    conv_config["filters"] = k.c;
    Bound dw(dw_config, input, rng), conv(conv_config, input, rng);
    const auto& layer = static_cast<const DepthwiseConv2D&>(*dw.layer);
    Tensor x(input.with_batch(batch)), y, y_ref, y_conv, dy, dx;
    for (int64_t i = 0; i < x.size(); ++i) x[i] = rng.uniform(-1.0f, 1.0f);
    dw.layer->forward(x, y, true);
    y_ref.resize(y.shape());
    dy.resize(y.shape());
    for (int64_t i = 0; i < dy.size(); ++i) dy[i] = rng.uniform(-1.0f, 1.0f);
    std::vector<double> fwd, scalar, dense, step;
    for (int r = 0; r < reps; ++r) {
      fwd.push_back(batch * rate([&] { dw.layer->forward(x, y, true); }, min_seconds, Clock::kCpu));
      scalar.push_back(batch * rate([&] {
        depthwise_forward_scalar(x.data(), batch, layer.geometry(), dw.params[0].data(), dw.params[1].data(),
                                 y_ref.data());
      }, min_seconds, Clock::kCpu));
      dense.push_back(batch * rate([&] { conv.layer->forward(x, y_conv, true); }, min_seconds, Clock::kCpu));
      step.push_back(batch * rate([&] {
        dw.layer->forward(x, y, true);
        dw.layer->backward(x, y, dy, dx);
      }, min_seconds, Clock::kCpu));
    }
    const double f = median(fwd), s = median(scalar), d = median(dense), fb = median(step);
    const double gflops = f * double(dw.layer->flops_per_sample()) * 1e-9;
    std::printf("%-18s %10.0f %10.0f %10.0f %10.0f %8.2f %8.2f %8.2f\n", k.name, f, s, d, fb, gflops, f / s, f / d);
    rows.push_back({{"layer", k.name},
                    {"dw_forward_samples_per_s", f},
                    {"scalar_forward_samples_per_s", s},
                    {"conv2d_forward_samples_per_s", d},
                    {"dw_forward_backward_samples_per_s", fb},
                    {"dw_gflops", gflops},
                    {"dw_over_scalar", f / s},
                    {"dw_over_conv2d", f / d}});
  }
  std::printf("%s\n", nlohmann::json{{"platform", platform_name()}, {"rows", rows}}.dump().c_str());
  return 0;
}
