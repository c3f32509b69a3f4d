#pragma once
// Settings of the things a user can start (train a teacher, distil, prune),
// shared by the panels and the JS API. Reading them from JSON checks every
// field and names the bad one; the limits themselves are the engine's
// (validate_train_config, parse_augment_spec), so the app refuses with the
// engine's words.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/model_role.h"
#include "engine/data/augment.h"
#include "engine/losses/losses.h"
#include "engine/prune/prune_pipeline.h"
#include "engine/quant/quant_mode.h"
#include "engine/train/trainer.h"

namespace distillery {

struct TrainOptions {
  std::string arch = "dense:32";  // layer spec (see engine/model/arch_spec.h)
  int epochs = 3;
  int batch = 64;
  float lr = 1e-3f;
  OptimizerKind optimizer = OptimizerKind::kAdam;
  LrSchedule schedule = LrSchedule::kConstant;
  int warmup_epochs = 0;            // linear learning-rate warm-up first
  uint64_t seed = 1;
  AugmentSpec augment;              // of the training batches only
};

struct DistillOptions {
  TrainOptions train;
  float temperature = kDistillSoftTargets.temperature;
  float alpha = kDistillSoftTargets.alpha;
  // kd (Hinton), dkd (decoupled), mse (logit matching) or ce (no teacher: the baseline).
  LossKind loss = LossKind::kHinton;
  TeacherMode teacher_mode = TeacherMode::kConsistent;
  float dkd_target_weight = 1.0f;
  float dkd_nontarget_weight = 8.0f;
  // Also train the same student alone (same seed, split, augmentation and
  // schedule; no teacher) and report the gain of distillation over it.
  bool baseline = false;
};

// A named bundle of training settings the Distil panel offers as one click
// ("quick", "patient"). The one table is training_presets() in options.cpp.
struct TrainingPreset {
  const char* name;
  const char* description;  // the panel's tooltip
  int epochs;
  const char* augment;      // augment spec text
  LrSchedule schedule;
  int warmup_epochs;
};
const std::vector<TrainingPreset>& training_presets();
// Throws Error listing the names when `name` is none of them.
const TrainingPreset& find_training_preset(const std::string& name);
void apply_training_preset(const TrainingPreset& preset, TrainOptions& options);
// The preset these options match exactly, or nullptr.
const TrainingPreset* matching_training_preset(const TrainOptions& options);
// What the Distil panel starts with: the quick preset, compared with the
// student alone, so that the first click shows what distillation buys.
DistillOptions first_distil_options();

struct PruneOptions {
  PruneMethod method = PruneMethod::kGlobal;
  float sparsity = 0.8f;             // fraction of prunable weights removed
  PruneSchedule schedule = PruneSchedule::kOneShot;
  NormCriterion criterion = NormCriterion::l2;  // structured: how units and filters are ranked
  int rounds = 3;                    // iterative
  int finetune_epochs = 1;           // per round for iterative
  bool use_teacher = true;           // fine-tune with distillation from the teacher
  float temperature = kPruneSoftTargets.temperature;
  float alpha = kPruneSoftTargets.alpha;
  float lr = 5e-4f;
  int batch = 64;
  uint64_t seed = 1;
};

// Post-training quantization of the student or the teacher: the engine's
// options, and which training images calibrate the int8 activation ranges.
struct QuantizeRequest {
  QuantizeOptions engine;            // mode, calibration method, percentile
  ModelRole model = ModelRole::kStudent;
  int calibration = 500;             // images drawn from the training split (all when it has fewer)
  uint64_t seed = 42;                // which ones
};

// Unknown keys are errors too: a typo should not silently use a default.
// A "preset" key applies that preset first; the other keys override it.
TrainOptions train_options_from_json(const nlohmann::json& j);
DistillOptions distill_options_from_json(const nlohmann::json& j);
PruneOptions prune_options_from_json(const nlohmann::json& j);
QuantizeRequest quantize_request_from_json(const nlohmann::json& j);

// Throw Error naming the first setting that is off ("distill: ..."): the
// engine's validate_train_config / validate_prune_settings on the configs
// these options make, so the app refuses with the CLI's words. The JSON
// readers call them; the actions call them for settings typed into the panels.
void validate_train_options(const TrainOptions& o, const std::string& what);
void validate_distill_options(const DistillOptions& o);
void validate_prune_options(const PruneOptions& o);
// The engine's validate(QuantizeOptions), then the calibration size.
void validate_quantize_request(const QuantizeRequest& r);

// The engine's TrainConfig for these options.
TrainConfig to_train_config(const TrainOptions& o);
TrainConfig to_train_config(const DistillOptions& o);
// The engine's PruneSettings for these options.
PruneSettings to_prune_settings(const PruneOptions& o);

}  // namespace distillery
