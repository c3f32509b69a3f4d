// Training speed of the shared loop (TrainingRun::step): distillation (KD,
// T = 4, alpha = 0.1, precomputed teacher logits) into an MLP 784-256-128-10
// and a CNN (conv8 3x3, pool 2, conv16 3x3, pool 2, dense 10; relu after each
// conv) at batch 64 with Adam, on synthetic 28x28 gray images.
//
//   train_bench [--quick] [--model mlp|cnn] [--speed-only] [--batch N]   prints a table, then one JSON line
//
// --speed-only skips the per-phase profile and the allocation count (for
// repeated rounds in bench/browser_bench.mjs).
//
// Sections: allocation counter; the problem; timing (1 vs 2 threads, wall
// clock, interleaved repetitions); where the time goes (per phase, CPU time);
// what allocates per step (per phase and per layer); main.
//
// Allocations are counted by tests/support/counting_allocator.cpp (operator
// new, and natively malloc: Eigen's temporaries), so "allocations per step"
// counts both.
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bench/bench_util.h"
#include "engine/core/settings.h"
#include "engine/data/batch.h"
#include "engine/kernels/gemm.h"
#include "engine/losses/losses.h"
#include "engine/model/model.h"
#include "engine/optim/optimizer.h"
#include "engine/train/trainer.h"
#include "tests/support/counting_allocator.h"

using distillery::alloc_count::allocations;
using namespace distillery;
using namespace distillery::bench;

namespace {

// --- The problem -------------------------------------------------------------------
constexpr int kSamples = 2048;
constexpr int kClasses = 10;
// The batch size: 64 (the TF.js comparison's) unless --batch says otherwise.
int g_batch = 64;


std::vector<nlohmann::json> layers_of(const std::string& model) {
  if (model == "mlp")
    return {{{"type", "flatten"}},           {{"type", "dense"}, {"units", 256}}, {{"type", "relu"}},
            {{"type", "dense"}, {"units", 128}}, {{"type", "relu"}},              {{"type", "dense"}, {"units", 10}}};
  return {{{"type", "conv2d"}, {"filters", 8}, {"kernel_size", 3}},
          {{"type", "relu"}},
          {{"type", "maxpool2d"}, {"pool_size", 2}},
          {{"type", "conv2d"}, {"filters", 16}, {"kernel_size", 3}},
          {{"type", "relu"}},
          {{"type", "maxpool2d"}, {"pool_size", 2}},
          {{"type", "flatten"}},
          {{"type", "dense"}, {"units", 10}}};
}

struct Problem {
  Dataset data = synthetic_images(kSamples, kClasses, 1);
  Tensor teacher_logits{Shape{kSamples, kClasses}};
  Model model;
  TrainConfig config;

  explicit Problem(const std::string& name) {
    Rng rng(2);
    for (int64_t i = 0; i < teacher_logits.size(); ++i) teacher_logits[i] = rng.uniform(-4.0f, 4.0f);
    model = Model::from_layer_configs(layers_of(name), Shape{28, 28, 1}, rng);
    config.epochs = kMaxEpochs;  // never reached: the benchmark stops first
    config.batch_size = g_batch;
    config.loss = LossKind::kHinton;
    config.teacher_mode = TeacherMode::kCached;
    config.temperature = 4.0f;
    config.alpha = 0.1f;
    config.optimizer.kind = OptimizerKind::kAdam;
  }
};

// --- Timing ------------------------------------------------------------------------
struct Speed {
  double one = 0, two = 0, ratio = 0;  // samples/s, medians
};

Speed measure_speed(Problem& p, int reps, double min_seconds) {
  TrainingRun run(p.model, p.data, all_indices(kSamples), {}, p.config, &p.teacher_logits);
  auto step = [&] { run.step(); };
  std::vector<double> one, two, ratio;
  for (int r = -1; r < reps; ++r) {  // r == -1 warms up
    set_thread_count(1);
    const double s1 = rate(step, min_seconds) * g_batch;
    set_thread_count(2);
    const double s2 = rate(step, min_seconds) * g_batch;
    if (r < 0) continue;
    one.push_back(s1);
    two.push_back(s2);
    ratio.push_back(s2 / s1);
  }
  return {median(one), median(two), median(ratio)};
}

// --- Where the time and the allocations go ----------------------------------------
// One training step taken apart as TrainingRun::step does it, timing (CPU
// time, 1 thread) and counting allocations per phase and per layer.
struct Phase {
  std::string name;
  double seconds = 0;
  long allocations = 0;
};

std::vector<Phase> profile_step(Problem& p, int steps, int threads = 1, Clock clock = Clock::kCpu) {
  set_thread_count(threads);
  Model& m = p.model;
  auto optimizer = make_optimizer(p.config.optimizer);
  Tensor inputs, teacher, grad;
  std::vector<int> labels, indices(g_batch);
  const int n = m.num_layers();
  std::vector<Tensor> acts(static_cast<size_t>(n)), grads(static_cast<size_t>(n) + 1);
  // Phase indices: 0..3 below, then forward of layer i at 4 + i, backward at 4 + n + i.
  enum { kDraw, kLoss, kZero, kOptimizer, kLayers };
  std::vector<Phase> phases = {{"draw batch"}, {"loss"}, {"zero grads"}, {"optimizer"}};
  for (int i = 0; i < n; ++i) phases.push_back({"fwd " + std::to_string(i) + " " + m.layer(i).type()});
  for (int i = 0; i < n; ++i) phases.push_back({"bwd " + std::to_string(i) + " " + m.layer(i).type()});
  for (int s = -3; s < steps; ++s) {  // 3 warm-up steps size every workspace
    auto timed = [&](int phase, auto&& fn) {
      const long a0 = allocations();
      const double t0 = seconds(clock);
      fn();
      if (s < 0) return;
      phases[static_cast<size_t>(phase)].seconds += seconds(clock) - t0;
      phases[static_cast<size_t>(phase)].allocations += allocations() - a0;
    };
    for (int i = 0; i < g_batch; ++i) indices[static_cast<size_t>(i)] = ((s + 3) * g_batch + i) % kSamples;
    timed(kDraw, [&] {
      gather_batch(p.data, indices.data(), g_batch, m.preprocessing, inputs);
      gather_labels(p.data, indices.data(), g_batch, labels);
      teacher.resize(Shape{g_batch, kClasses});
      for (int i = 0; i < g_batch; ++i)
        std::memcpy(teacher.data() + i * kClasses, p.teacher_logits.data() + indices[static_cast<size_t>(i)] * kClasses,
                    sizeof(float) * kClasses);
    });
    for (int i = 0; i < n; ++i)
      timed(kLayers + i, [&] { m.layer(i).forward(i == 0 ? inputs : acts[i - 1], acts[i], true); });
    timed(kLoss, [&] { distillation_loss(acts[n - 1], teacher, labels.data(), 4.0f, 0.1f, &grads[n]); });
    timed(kZero, [&] { m.params().zero_grads(); });
    for (int i = n - 1; i >= 0; --i)
      timed(kLayers + n + i,
            [&] { m.layer(i).backward(i == 0 ? inputs : acts[i - 1], acts[i], grads[i + 1], grads[i]); });
    timed(kOptimizer, [&] { optimizer->step(m.params(), 1e-3f); });
  }
  for (Phase& ph : phases) {
    ph.seconds /= steps;
    ph.allocations /= steps;
  }
  return phases;
}

// Allocations per TrainingRun::step() once warm (the real loop, all phases).
double allocations_per_step(Problem& p, int steps) {
  set_thread_count(1);
  TrainingRun run(p.model, p.data, all_indices(kSamples), {}, p.config, &p.teacher_logits);
  for (int i = 0; i < 3; ++i) run.step();
  const long a0 = allocations();
  for (int i = 0; i < steps; ++i) run.step();
  return static_cast<double>(allocations() - a0) / steps;
}

}  // namespace

// --- main ------------------------------------------------------------------------------
int main(int argc, char** argv) {
  bool quick = false, speed_only = false;
  std::vector<std::string> models = {"mlp", "cnn"};
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) quick = true;
    if (std::strcmp(argv[i], "--speed-only") == 0) speed_only = true;
    if (std::strcmp(argv[i], "--model") == 0 && i + 1 < argc) models = {argv[++i]};
    if (std::strcmp(argv[i], "--batch") == 0 && i + 1 < argc) g_batch = std::max(1, std::atoi(argv[++i]));
  }
  const int reps = 5;
  const double min_seconds = quick ? 0.1 : 0.3;
  std::printf("train_bench on %s, gemm kernel %s, hardware threads %d, batch %d, KD loss, Adam\n", platform_name(),
              gemm_kernel_name(), hardware_thread_count(), g_batch);
  std::string json = std::string("{\"bench\":\"train\",\"platform\":\"") + platform_name() +
                     "\",\"batch\":" + std::to_string(g_batch);
  for (const std::string& name : models) {
    Problem p(name);
    std::printf("\n%s: %lld parameters\n", name.c_str(), static_cast<long long>(p.model.parameter_count()));
    double total = 0, allocs = 0;
    if (!speed_only) {
      const std::vector<Phase> phases = profile_step(p, quick ? 10 : 30);
      for (const Phase& ph : phases) total += ph.seconds;
      std::printf("  one step on 1 thread, %s time per phase:\n", cpu_clock_name());
      for (const Phase& ph : phases)
        std::printf("  %-22s %8.3f ms %5.1f%%   %ld allocations/step\n", ph.name.c_str(), ph.seconds * 1e3,
                    100 * ph.seconds / total, ph.allocations);
      // Which phases do not scale: wall time per phase on 1 and 2 threads.
      const std::vector<Phase> one = profile_step(p, quick ? 10 : 30, 1, Clock::kWall);
      const std::vector<Phase> two = profile_step(p, quick ? 10 : 30, 2, Clock::kWall);
      double one_total = 0, two_total = 0;
      std::printf("  wall time per phase:        1 thread   2 threads   1t/2t\n");
      for (size_t i = 0; i < one.size(); ++i) {
        one_total += one[i].seconds;
        two_total += two[i].seconds;
        if (one[i].seconds < 0.01 * total) continue;  // under 1 %: not worth a line
        std::printf("  %-22s %8.3f ms %8.3f ms %7.2f\n", one[i].name.c_str(), one[i].seconds * 1e3, two[i].seconds * 1e3,
                    one[i].seconds / two[i].seconds);
      }
      std::printf("  %-22s %8.3f ms %8.3f ms %7.2f\n", "whole step", one_total * 1e3, two_total * 1e3,
                  one_total / two_total);
      allocs = allocations_per_step(p, 20);
      std::printf("  TrainingRun::step(): %.1f allocations/step once warm\n", allocs);
    }
    const Speed speed = measure_speed(p, reps, min_seconds);
    std::printf("  samples/s (wall, median of %d): 1 thread %.0f, 2 threads %.0f, 2/1 = %.2f\n", reps, speed.one,
                speed.two, speed.ratio);
    std::fflush(stdout);
    json += ",\"" + name + "\":{\"samples_per_s_1t\":" + fixed(speed.one, 1) + ",\"samples_per_s_2t\":" +
            fixed(speed.two, 1) + ",\"threads_2_over_1\":" + fixed(speed.ratio) + ",\"cpu_ms_per_step_1t\":" +
            fixed(total * 1e3) + ",\"allocations_per_step\":" + fixed(allocs, 1) + "}";
  }
  std::printf("%s}\n", json.c_str());
  return 0;
}
