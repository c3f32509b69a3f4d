#pragma once
// The one training loop, shared by the CLI, the desktop app and the web app
// (ggml's opt_epoch habit). A TrainingRun advances one batch per step(), so a
// thread can loop it (run()) and a single-threaded page can call step() in
// time slices between frames; both take the same path.
//
//   TrainConfig cfg; cfg.epochs = 5; cfg.loss = LossKind::kHinton;
//   TrainingRun run(model, data, split.train, split.val, cfg, &teacher);
//   run.run(&control);
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/core/tensor.h"
#include "engine/data/augment.h"
#include "engine/data/dataset.h"
#include "engine/losses/losses.h"
#include "engine/model/model.h"
#include "engine/optim/optimizer.h"

namespace distillery {

// Where the teacher's outputs for a training batch come from.
enum class TeacherMode {
  kConsistent,  // "consistent": the teacher runs on the very batch the student sees (augmented, mixed)
  kCached,      // "cached": logits computed once over the un-augmented images, looked up per batch
};
const NameTable<TeacherMode>& teacher_mode_names();
inline const char* teacher_mode_name(TeacherMode mode) { return teacher_mode_names().name(mode); }
// Throws Error listing the names when `name` is none of them.
inline TeacherMode teacher_mode_from_name(const std::string& name) { return teacher_mode_names().parse(name); }

// The limits of a run, one each for every front end (CLI, desktop, page);
// validate_train_config enforces them with one message each.
//  - epochs: a thousand passes over the small image sets this is for is far
//    past convergence; more is a typo that would otherwise run for days.
//  - batch size: 4096 images of activations is what a browser tab can hold
//    next to the model (the page's limit, now everyone's); larger batches
//    buy no speed on a few cores and generalise worse.
//  - learning rate: above 10 every optimiser here diverges at once.
//  - temperature: above 100 the softened teacher is uniform to float
//    precision, so there is nothing left to distil.
constexpr int kMaxEpochs = 1000;
constexpr int kMaxBatchSize = 4096;
constexpr float kMaxLearningRate = 10.0f;
constexpr float kMaxTemperature = 100.0f;

// Soft-target settings a front end starts a run from.
struct SoftTargets {
  float temperature;
  float alpha;  // weight of the hard-label term
};
// Distillation (the CLI's distill, the Distil panel): T = 1 on the teacher's
// targets alone. It beat T = 4, alpha = 0.1 on every seed, on the full
// Fashion-MNIST and on the demo (docs/BENCHMARKS.md, "What distillation buys").
constexpr SoftTargets kDistillSoftTargets{1.0f, 0.0f};
// Fine-tuning a pruned model with its teacher: not measured at T = 1, so it
// keeps the settings its figures were taken with.
constexpr SoftTargets kPruneSoftTargets{4.0f, 0.1f};

struct TrainConfig {
  int epochs = 5;
  int batch_size = 64;
  float learning_rate = 1e-3f;
  LrSchedule lr_schedule = LrSchedule::kConstant;
  int warmup_epochs = 0;                 // linear warm-up of the learning rate first
  uint64_t seed = 42;
  OptimizerConfig optimizer;
  // Every loss but ce needs a teacher.
  LossKind loss = LossKind::kCrossEntropy;
  float temperature = 4.0f;
  float alpha = 0.1f;                  // weight of the hard-label term in kd and dkd
  float dkd_target_weight = 1.0f;      // dkd: weight of the target-class term (TCKD)
  float dkd_nontarget_weight = 8.0f;   // dkd: weight of the non-target term (NCKD)
  TeacherMode teacher_mode = TeacherMode::kConsistent;
  AugmentSpec augment;                 // training batches only
};

// The seed a run's BatchAugmenter draws from: a preview built with it shows
// the very images the run's step N trains on.
inline uint64_t augment_seed(const TrainConfig& config) { return config.seed ^ 0xA0617E17ull; }

// Checks every setting against its limits; throws Error naming the first one
// that is off. TrainingRun calls it; front ends call it to refuse early.
void validate_train_config(const TrainConfig& config);

struct BatchReport {
  int epoch = 0;            // 0-based
  int batch = 0;            // 0-based within the epoch
  int batches_per_epoch = 0;
  int64_t step = 0;         // global step count after this batch
  int64_t total_steps = 0;
  float loss = 0;
  float accuracy = 0;       // on this batch, against the hard labels (of a mixed image: the larger share)
  float learning_rate = 0;
  double samples_per_second = 0;  // over the epoch so far
};

struct EpochReport {
  int epoch = 0;  // 0-based
  int epochs = 0;
  float train_loss = 0;
  float train_accuracy = 0;
  float val_loss = 0;       // NaN when there is no validation split
  float val_accuracy = 0;   // NaN when there is no validation split
  double seconds = 0;
  double samples_per_second = 0;
};

struct TrainCallbacks {
  std::function<void(const BatchReport&)> on_batch;
  std::function<void(const EpochReport&)> on_epoch;
  // Called before every training batch's forward pass with the global step
  // number; quantization-aware training puts the fake-quantized weights in here.
  std::function<void(int64_t step, Model& model)> before_forward;
  // Called before every optimiser step with the global step number; gradual
  // pruning updates the masks here (and QAT puts the float weights back).
  std::function<void(int64_t step, Model& model)> before_step;
};

// Shared between the training thread and whoever controls it.
struct TrainingCheckpoint;  // engine/train/checkpoint.h

struct TrainControl {
  std::atomic<bool> stop{false};
  std::atomic<bool> pause{false};
};

// Teacher logits over every sample of the dataset, [data.size(), C]; computed
// once before training and looked up per batch (TeacherMode::kCached).
Tensor compute_logits(Model& model, const Dataset& data, int chunk = 256);

// What a run learns from besides the labels: the teacher model (consistent
// mode runs it on every batch) and/or its cached logits ([data.size(), C] by
// sample index). Cached mode takes the logits when given and computes them
// from the model otherwise.
struct TeacherSignal {
  Model* model = nullptr;
  const Tensor* logits = nullptr;
  TeacherSignal() = default;
  TeacherSignal(std::nullptr_t) {}                       // NOLINT: no teacher
  TeacherSignal(Model* teacher) : model(teacher) {}      // NOLINT
  TeacherSignal(const Tensor* cached) : logits(cached) {}  // NOLINT
  TeacherSignal(Model* teacher, const Tensor* cached) : model(teacher), logits(cached) {}
  bool present() const { return model || logits; }
};

class TrainingRun {
 public:
  // The teacher must be given for every loss but ce. Samples whose label is
  // Dataset::kUnlabeled (in train_indices only) learn from the teacher alone.
  // model, data and the teacher must outlive the run.
  TrainingRun(Model& model, const Dataset& data, std::vector<int> train_indices, std::vector<int> val_indices,
              TrainConfig config, TeacherSignal teacher = {}, TrainCallbacks callbacks = {});
  ~TrainingRun();

  // Runs one batch (and the epoch's validation when the epoch ends).
  // Returns false when the run is finished.
  bool step();
  // Loops step() until done or control->stop; waits while control->pause.
  // after_step (optional) runs after every batch: the apps keep a resume
  // point there when an epoch has ended.
  void run(TrainControl* control = nullptr, const std::function<void()>& after_step = nullptr);

  bool finished() const;
  int64_t steps_done() const;
  int64_t total_steps() const;
  int current_epoch() const;
  const std::vector<EpochReport>& history() const;
  Optimizer& optimizer();
  // Between epochs (after an epoch ended, or before the first step): the
  // state a new run needs to continue this one exactly (checkpoint.h).
  TrainingCheckpoint checkpoint() const;
  // On a new run that has not stepped yet, over a model of the same
  // architecture, the same data, split and config. Throws Error when the
  // checkpoint does not fit it.
  void restore(const TrainingCheckpoint& checkpoint);

 private:
  struct ValidationResult {
    float loss;
    float accuracy;
  };
  void teacher_outputs(const int* indices, int count);  // into the batch's teacher logits
  void finish_epoch();
  ValidationResult validate();

  struct State;
  std::unique_ptr<State> state_;
};

// Validation split: shuffles 0..n-1 with seed and holds out val_fraction.
struct Split {
  std::vector<int> train;
  std::vector<int> val;
};
Split split_indices(int n, float val_fraction, uint64_t seed);
std::vector<int> all_indices(int n);

}  // namespace distillery
