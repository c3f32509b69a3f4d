// Distillation speed: what a consistent teacher (TeacherMode::kConsistent, the
// teacher runs forward on every training batch, on exactly the augmented,
// mixed images the student sees) costs against a cached one
// (TeacherMode::kCached, logits computed once per sample and looked up), in
// the shared loop (TrainingRun::step), batch 64, Adam, on synthetic 28x28x1
// images (2048 samples, 10 classes).
//
//   distill_speed [--quick] [--teacher mlp|cnn] [--student SPEC|mlp|cnn]   prints tables, then one JSON line
//
// Teachers (randomly initialised: speed does not depend on what they learnt):
//   mlp  784-256-128-10                       parse_arch_spec("dense:256,dense:128")
//   cnn  conv32 3x3, pool 2, conv64 3x3, pool 2, dense 128, dense 10
//                                             parse_arch_spec("conv:32:3,pool:2,conv:64:3,pool:2,dense:128")
// Students: "dense:32" (alias mlp) and "conv:8:3,pool:2,conv:16:3,pool:2,dense:32" (alias cnn).
//
// For each teacher x student, six variants are timed on 1 and 2 threads:
// ce (the student alone), kd cached, kd consistent (KD, T = 4, alpha = 0.1),
// each without augmentation and with "shift:2,flip,mixup:0.3". Samples/s are
// wall clock, medians of 5 repetitions after a warm-up one; within a
// repetition every variant and thread count runs in turn, so a burst of load
// from other processes hits all of them; a ratio is the median of the
// per-repetition ratios.
//
// Where the time goes: CPU time per sample on 1 thread (bench_util.h's CPU
// clock), medians of 5 interleaved repetitions: the teacher's forward alone
// (inference, a batch of 64), the ce step (gather + student forward +
// backward + Adam), the augmentation draw (BatchAugmenter::draw), the plain
// gather, and the kd steps themselves, so that consistent can be set against
// ce + teacher forward.
//
// The JSON line: per pair, samples_per_s [1 thread, 2 threads] per variant,
// consistent_over_cached(_aug) [1t, 2t] (wall), consistent_over_cached_cpu_1t
// [no aug, aug] and cpu_us_per_sample_1t per part.
//
// Sections: the problem; timing; where the time goes; main.
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bench/bench_util.h"
#include "engine/core/settings.h"
#include "engine/data/augment.h"
#include "engine/data/batch.h"
#include "engine/kernels/gemm.h"
#include "engine/losses/losses.h"
#include "engine/model/arch_spec.h"
#include "engine/model/model.h"
#include "engine/train/trainer.h"

using namespace distillery;
using namespace distillery::bench;

namespace {

// --- The problem -------------------------------------------------------------------
constexpr int kSamples = 2048;
constexpr int kClasses = 10;
constexpr int kBatch = 64;
const char* const kAugment = "shift:2,flip,mixup:0.3";


std::string teacher_spec(const std::string& name) {
  if (name == "mlp") return "dense:256,dense:128";
  if (name == "cnn") return "conv:32:3,pool:2,conv:64:3,pool:2,dense:128";
  return name;  // any other architecture spec
}

std::string student_spec(const std::string& name) {
  if (name == "mlp") return "dense:32";
  if (name == "cnn") return "conv:8:3,pool:2,conv:16:3,pool:2,dense:32";
  return name;
}

Model build(const std::string& spec, uint64_t seed) {
  Rng rng(seed);
  return Model::from_layer_configs(parse_arch_spec(spec, kClasses, 3), Shape{28, 28, 1}, rng);
}

// The six training variants.
struct Variant {
  const char* name;
  LossKind loss;
  TeacherMode mode;
  bool augment;
};
const Variant kVariants[] = {
    {"ce (student alone)", LossKind::kCrossEntropy, TeacherMode::kCached, false},
    {"kd cached", LossKind::kHinton, TeacherMode::kCached, false},
    {"kd consistent", LossKind::kHinton, TeacherMode::kConsistent, false},
    {"ce + aug", LossKind::kCrossEntropy, TeacherMode::kCached, true},
    {"kd cached + aug", LossKind::kHinton, TeacherMode::kCached, true},
    {"kd consistent + aug", LossKind::kHinton, TeacherMode::kConsistent, true},
};
constexpr int kNumVariants = sizeof(kVariants) / sizeof(kVariants[0]);
enum { kCe, kCached, kConsistent, kCeAug, kCachedAug, kConsistentAug };
const char* const kJsonNames[kNumVariants] = {"ce", "kd_cached", "kd_consistent",
                                              "ce_aug", "kd_cached_aug", "kd_consistent_aug"};

// One teacher x student pair: the data, the teacher, its cached logits, and a
// student (its own copy, same initial weights) with a TrainingRun per variant.
struct Pair {
  std::string teacher_name, student_name;
  Dataset data = synthetic_images(kSamples, kClasses, 1);
  Model teacher;
  Tensor cached_logits;
  std::vector<std::unique_ptr<Model>> students;
  std::vector<std::unique_ptr<TrainingRun>> runs;

  Pair(const std::string& t, const std::string& s) : teacher_name(t), student_name(s) {
    teacher = build(teacher_spec(t), 3);
    cached_logits = compute_logits(teacher, data);
    for (const Variant& v : kVariants) {
      students.push_back(std::make_unique<Model>(build(student_spec(s), 4)));
      TrainConfig config;
      config.epochs = kMaxEpochs;  // never reached: the benchmark stops first
      config.batch_size = kBatch;
      config.loss = v.loss;
      config.teacher_mode = v.mode;
      config.temperature = 4.0f;
      config.alpha = 0.1f;
      config.optimizer.kind = OptimizerKind::kAdam;
      if (v.augment) config.augment = parse_augment_spec(kAugment);
      const TeacherSignal signal =
          v.loss == LossKind::kCrossEntropy ? TeacherSignal() : TeacherSignal(&teacher, &cached_logits);
      runs.push_back(std::make_unique<TrainingRun>(*students.back(), data, all_indices(kSamples),
                                                   std::vector<int>{}, config, signal));
    }
  }
};

// --- Timing ------------------------------------------------------------------------
struct Speeds {
  double samples[kNumVariants][2] = {};  // [variant][threads - 1], samples/s, medians
  double consistent_over_cached[2][2] = {};  // [augmented][threads - 1], medians of per-rep ratios
};

Speeds measure_speeds(Pair& p, int reps, double min_seconds) {
  std::vector<double> samples[kNumVariants][2], ratio[2][2];
  for (int r = -1; r < reps; ++r) {  // r == -1 warms up
    double s[kNumVariants][2];
    for (int v = 0; v < kNumVariants; ++v)
      for (int t = 0; t < 2; ++t) {
        set_thread_count(t + 1);
        TrainingRun& run = *p.runs[static_cast<size_t>(v)];
        s[v][t] = rate([&] { run.step(); }, min_seconds) * kBatch;
      }
    if (r < 0) continue;
    for (int v = 0; v < kNumVariants; ++v)
      for (int t = 0; t < 2; ++t) samples[v][t].push_back(s[v][t]);
    for (int t = 0; t < 2; ++t) {
      ratio[0][t].push_back(s[kConsistent][t] / s[kCached][t]);
      ratio[1][t].push_back(s[kConsistentAug][t] / s[kCachedAug][t]);
    }
  }
  Speeds out;
  for (int v = 0; v < kNumVariants; ++v)
    for (int t = 0; t < 2; ++t) out.samples[v][t] = median(samples[v][t]);
  for (int a = 0; a < 2; ++a)
    for (int t = 0; t < 2; ++t) out.consistent_over_cached[a][t] = median(ratio[a][t]);
  return out;
}

// --- Where the time goes -----------------------------------------------------------
// CPU microseconds per sample on 1 thread, medians of interleaved repetitions.
struct Part {
  const char* key;
  const char* name;
  double us = 0;
};

std::vector<Part> profile(Pair& p, int reps, double min_seconds) {
  set_thread_count(1);
  Tensor inputs, images;
  BatchTargets targets;
  std::vector<int> indices(kBatch);
  for (int i = 0; i < kBatch; ++i) indices[static_cast<size_t>(i)] = (i * 37) % kSamples;
  const Preprocessing& pre = p.students[0]->preprocessing;
  gather_batch(p.data, indices.data(), kBatch, pre, inputs);
  BatchAugmenter augmenter(parse_augment_spec(kAugment), 7);
  int64_t draw_step = 0;
  auto step_of = [&](int v) { return [&p, v] { p.runs[static_cast<size_t>(v)]->step(); }; };
  struct Job {
    Part part;
    std::function<void()> fn;
  };
  std::vector<Job> jobs = {
      {{"teacher_forward", "teacher forward (inference, batch 64)"}, [&] { p.teacher.forward(inputs, false); }},
      {{"ce_step", "ce step (gather, student fwd+bwd, Adam)"}, step_of(kCe)},
      {{"kd_cached_step", "kd cached step"}, step_of(kCached)},
      {{"kd_consistent_step", "kd consistent step"}, step_of(kConsistent)},
      {{"gather", "gather batch (no augmentation)"},
       [&] { gather_batch(p.data, indices.data(), kBatch, pre, images); }},
      {{"augment_draw", "augmentation draw (BatchAugmenter::draw)"},
       [&] { augmenter.draw(p.data, indices.data(), kBatch, pre, draw_step++, images, targets); }},
      {{"ce_aug_step", "ce + aug step"}, step_of(kCeAug)},
      {{"kd_cached_aug_step", "kd cached + aug step"}, step_of(kCachedAug)},
      {{"kd_consistent_aug_step", "kd consistent + aug step"}, step_of(kConsistentAug)},
  };
  std::vector<std::vector<double>> us(jobs.size());
  for (int r = -1; r < reps; ++r)
    for (size_t j = 0; j < jobs.size(); ++j) {
      const double calls_per_s = rate(jobs[j].fn, min_seconds, Clock::kCpu);
      if (r >= 0) us[j].push_back(1e6 / (calls_per_s * kBatch));
    }
  std::vector<Part> parts;
  for (size_t j = 0; j < jobs.size(); ++j) {
    parts.push_back(jobs[j].part);
    parts.back().us = median(us[j]);
  }
  return parts;
}

double part(const std::vector<Part>& parts, const char* key) {
  for (const Part& p : parts)
    if (std::strcmp(p.key, key) == 0) return p.us;
  return 0;
}

}  // namespace

// --- main ------------------------------------------------------------------------------
int main(int argc, char** argv) {
  bool quick = false;
  std::vector<std::string> teachers = {"mlp", "cnn"};
  std::vector<std::string> students = {"mlp", "cnn"};
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) quick = true;
    if (std::strcmp(argv[i], "--teacher") == 0 && i + 1 < argc) teachers = {argv[++i]};
    if (std::strcmp(argv[i], "--student") == 0 && i + 1 < argc) students = {argv[++i]};
  }
  const int reps = 5;
  const double min_seconds = quick ? 0.1 : 0.3;
  std::printf("distill_speed on %s, gemm kernel %s, hardware threads %d, batch %d, Adam, KD T=4 alpha=0.1, "
              "augment \"%s\", %d synthetic 28x28x1 samples\n",
              platform_name(), gemm_kernel_name(), hardware_thread_count(), kBatch, kAugment, kSamples);
  std::string json = std::string("{\"bench\":\"distill_speed\",\"platform\":\"") + platform_name() +
                     "\",\"batch\":" + std::to_string(kBatch) + ",\"quick\":" + (quick ? "true" : "false") +
                     ",\"pairs\":[";
  bool first = true;
  for (const std::string& t : teachers)
    for (const std::string& s : students) {
      Pair p(t, s);
      std::printf("\nteacher %s (%s, %lld parameters) -> student %s (%lld parameters)\n", t.c_str(),
                  teacher_spec(t).c_str(), static_cast<long long>(p.teacher.parameter_count()),
                  student_spec(s).c_str(), static_cast<long long>(p.students[0]->parameter_count()));
      const Speeds sp = measure_speeds(p, reps, min_seconds);
      std::printf("  samples/s (wall, median of %d)   1 thread   2 threads\n", reps);
      for (int v = 0; v < kNumVariants; ++v)
        std::printf("  %-28s %10.0f %11.0f\n", kVariants[v].name, sp.samples[v][0], sp.samples[v][1]);
      std::printf("  %-28s %10.3f %11.3f\n", "consistent / cached", sp.consistent_over_cached[0][0],
                  sp.consistent_over_cached[0][1]);
      std::printf("  %-28s %10.3f %11.3f\n", "consistent / cached, aug", sp.consistent_over_cached[1][0],
                  sp.consistent_over_cached[1][1]);
      std::fflush(stdout);
      const std::vector<Part> parts = profile(p, reps, min_seconds);
      std::printf("  where the time goes, 1 thread, %s us per sample (median of %d):\n", cpu_clock_name(), reps);
      for (const Part& q : parts) std::printf("  %-42s %9.2f\n", q.name, q.us);
      const double tf = part(parts, "teacher_forward");
      std::printf("  %-42s %9.2f   (kd consistent step: %.2f)\n", "ce step + teacher forward",
                  part(parts, "ce_step") + tf, part(parts, "kd_consistent_step"));
      std::printf("  %-42s %9.2f   (kd consistent + aug step: %.2f)\n", "ce + aug step + teacher forward",
                  part(parts, "ce_aug_step") + tf, part(parts, "kd_consistent_aug_step"));
      std::printf("  teacher forward / kd consistent step: %.1f%% (no aug), %.1f%% (aug)\n",
                  100 * tf / part(parts, "kd_consistent_step"), 100 * tf / part(parts, "kd_consistent_aug_step"));
      // The same ratio from CPU time on 1 thread (samples per CPU-second), which
      // other processes on the machine move much less than wall time.
      const double cpu_ratio = part(parts, "kd_cached_step") / part(parts, "kd_consistent_step");
      const double cpu_ratio_aug = part(parts, "kd_cached_aug_step") / part(parts, "kd_consistent_aug_step");
      std::printf("  consistent / cached from 1-thread CPU time: %.3f (no aug), %.3f (aug)\n", cpu_ratio,
                  cpu_ratio_aug);
      std::fflush(stdout);

      json += std::string(first ? "" : ",") + "{\"teacher\":\"" + t + "\",\"student\":\"" + student_spec(s) +
              "\",\"teacher_params\":" + std::to_string(p.teacher.parameter_count()) +
              ",\"student_params\":" + std::to_string(p.students[0]->parameter_count()) + ",\"samples_per_s\":{";
      for (int v = 0; v < kNumVariants; ++v)
        json += std::string(v ? "," : "") + "\"" + kJsonNames[v] + "\":[" + fixed(sp.samples[v][0], 1) + "," +
                fixed(sp.samples[v][1], 1) + "]";
      json += "},\"consistent_over_cached\":[" + fixed(sp.consistent_over_cached[0][0]) + "," +
              fixed(sp.consistent_over_cached[0][1]) + "],\"consistent_over_cached_aug\":[" +
              fixed(sp.consistent_over_cached[1][0]) + "," + fixed(sp.consistent_over_cached[1][1]) +
              "],\"consistent_over_cached_cpu_1t\":[" + fixed(cpu_ratio) + "," + fixed(cpu_ratio_aug) +
              "],\"cpu_us_per_sample_1t\":{";
      for (size_t j = 0; j < parts.size(); ++j)
        json += std::string(j ? "," : "") + "\"" + parts[j].key + "\":" + fixed(parts[j].us, 3);
      json += "}}";
      first = false;
    }
  std::printf("%s]}\n", json.c_str());
  return 0;
}
