// Options of the JS API and the panels. Sections:
//   - the presets table
//   - reading JSON: unknown keys, types, the engine's validation
//   - the engine's configs
#include "app/options.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "engine/core/error.h"
#include "engine/prune/prune_pipeline.h"

namespace distillery {

// --- the presets table ----------------------------------------------------------------------

// The one place the presets' numbers live (the lead retunes them from bench/).
const std::vector<TrainingPreset>& training_presets() {
  static const std::vector<TrainingPreset> kPresets = {
      // Measured on the demo (docs/BENCHMARKS.md, "What distillation buys"): shift:2,flip costs dense:32
      // (an MLP, no translation invariance) about 10 points in 5 epochs; one pixel of shift does not.
      {"quick", "A few epochs with light augmentation: a first result in a classroom minute.", 5, "shift:1",
       LrSchedule::kCosine, 0},
      {"patient", "Longer training with mixup: what distillation needs to pull clearly ahead of the student alone.",
       20, "shift:2,flip,mixup:0.2", LrSchedule::kCosine, 1},
  };
  return kPresets;
}

DistillOptions first_distil_options() {
  DistillOptions o;
  apply_training_preset(find_training_preset("quick"), o.train);
  o.baseline = true;
  return o;
}

const TrainingPreset& find_training_preset(const std::string& name) {
  std::string names;
  for (const TrainingPreset& p : training_presets()) {
    if (name == p.name) return p;
    names += (names.empty() ? "" : " or ") + std::string(p.name);
  }
  throw Error("unknown preset '" + name + "' (use " + names + ")");
}

void apply_training_preset(const TrainingPreset& preset, TrainOptions& o) {
  o.epochs = preset.epochs;
  o.augment = parse_augment_spec(preset.augment);
  o.schedule = preset.schedule;
  o.warmup_epochs = preset.warmup_epochs;
}

const TrainingPreset* matching_training_preset(const TrainOptions& o) {
  for (const TrainingPreset& p : training_presets()) {
    if (o.epochs == p.epochs && o.augment == parse_augment_spec(p.augment) && o.schedule == p.schedule &&
        o.warmup_epochs == p.warmup_epochs)
      return &p;
  }
  return nullptr;
}

// --- reading JSON -----------------------------------------------------------------------------

namespace {

void reject_unknown_keys(const nlohmann::json& j, const std::set<std::string>& known, const std::string& what) {
  require(j.is_object(), what + " options must be an object");
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (known.count(it.key())) continue;
    std::string list;
    for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
    throw Error(what + ": unknown option '" + it.key() + "' (known: " + list + ")");
  }
}

template <typename T>
bool read(const nlohmann::json& j, const char* key, T& out, const std::string& what) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return false;
  try {
    out = it->get<T>();
  } catch (const nlohmann::json::exception&) {
    throw Error(what + ": option '" + key + "' has the wrong type");
  }
  return true;
}

// Runs an engine parse or check and puts "what: " before its message, so the
// user reads the engine's words under the method's name.
template <typename F>
auto engine_checked(const std::string& what, F&& parse) -> decltype(parse()) {
  try {
    return parse();
  } catch (const Error& e) {
    throw Error(what + ": " + e.what());
  }
}

// A named choice given as text: the engine's name table decides.
template <typename T, typename Parse>
void read_named(const nlohmann::json& j, const char* key, T& out, const std::string& what, Parse parse) {
  std::string name;
  if (read(j, key, name, what)) out = engine_checked(what, [&] { return parse(name); });
}

const std::set<std::string> kTrainKeys = {"arch",     "epochs", "batch",        "lr",     "optimizer",
                                          "schedule", "seed",   "warmupEpochs", "augment", "preset"};

TrainOptions read_train(const nlohmann::json& j, const std::string& what) {
  TrainOptions o;
  std::string preset;
  if (read(j, "preset", preset, what)) apply_training_preset(engine_checked(what, [&]() -> const TrainingPreset& {
                                                               return find_training_preset(preset);
                                                             }),
                                                             o);
  read(j, "arch", o.arch, what);
  read(j, "epochs", o.epochs, what);
  read(j, "batch", o.batch, what);
  read(j, "lr", o.lr, what);
  read_named(j, "optimizer", o.optimizer, what, optimizer_from_name);
  read_named(j, "schedule", o.schedule, what, lr_schedule_from_name);
  read(j, "warmupEpochs", o.warmup_epochs, what);
  read(j, "seed", o.seed, what);
  read_named(j, "augment", o.augment, what, parse_augment_spec);
  validate_train_options(o, what);
  return o;
}

}  // namespace

void validate_train_options(const TrainOptions& o, const std::string& what) {
  require(!o.arch.empty(), what + ": 'arch' is empty (e.g. \"dense:32\")");
  engine_checked(what, [&] { validate_train_config(to_train_config(o)); });
}

void validate_distill_options(const DistillOptions& o) {
  validate_train_options(o.train, "distill");
  engine_checked("distill", [&] { validate_train_config(to_train_config(o)); });
  require(!o.baseline || loss_needs_teacher(o.loss),
          "distill: baseline compares distillation with the student alone, but loss 'ce' already is the student "
          "alone: use kd, dkd or mse");
}

TrainOptions train_options_from_json(const nlohmann::json& j) {
  reject_unknown_keys(j, kTrainKeys, "trainTeacher");
  return read_train(j, "trainTeacher");
}

DistillOptions distill_options_from_json(const nlohmann::json& j) {
  const std::string what = "distill";
  std::set<std::string> keys = kTrainKeys;
  keys.insert({"temperature", "alpha", "loss", "teacherMode", "dkdTargetWeight", "dkdNontargetWeight", "baseline"});
  reject_unknown_keys(j, keys, what);
  DistillOptions o;
  o.train = read_train(j, what);
  read(j, "temperature", o.temperature, what);
  read(j, "alpha", o.alpha, what);
  read_named(j, "loss", o.loss, what, loss_from_name);
  read_named(j, "teacherMode", o.teacher_mode, what, teacher_mode_from_name);
  read(j, "dkdTargetWeight", o.dkd_target_weight, what);
  read(j, "dkdNontargetWeight", o.dkd_nontarget_weight, what);
  read(j, "baseline", o.baseline, what);
  validate_distill_options(o);
  return o;
}

PruneOptions prune_options_from_json(const nlohmann::json& j) {
  reject_unknown_keys(j,
                      {"method", "sparsity", "schedule", "criterion", "rounds", "finetuneEpochs", "useTeacher", "temperature", "alpha", "lr",
                       "batch", "seed"},
                      "prune");
  PruneOptions o;
  read_named(j, "method", o.method, "prune", prune_method_from_name);
  read(j, "sparsity", o.sparsity, "prune");
  read_named(j, "schedule", o.schedule, "prune", prune_schedule_from_name);
  read_named(j, "criterion", o.criterion, "prune", parse_norm_criterion);  // sessions saved before it: l2
  read(j, "rounds", o.rounds, "prune");
  read(j, "finetuneEpochs", o.finetune_epochs, "prune");
  read(j, "useTeacher", o.use_teacher, "prune");
  read(j, "temperature", o.temperature, "prune");
  read(j, "alpha", o.alpha, "prune");
  read(j, "lr", o.lr, "prune");
  read(j, "batch", o.batch, "prune");
  read(j, "seed", o.seed, "prune");
  validate_prune_options(o);
  return o;
}

void validate_prune_options(const PruneOptions& o) {
  engine_checked("prune", [&] { validate_prune_settings(to_prune_settings(o)); });
}

QuantizeRequest quantize_request_from_json(const nlohmann::json& j) {
  const std::string what = "quantize";
  reject_unknown_keys(j, {"mode", "model", "calibration", "calibrationMethod", "percentile", "seed"}, what);
  QuantizeRequest r;
  read_named(j, "mode", r.engine.mode, what, parse_quant_mode);
  read_named(j, "model", r.model, what, [](const std::string& name) { return model_role_names().parse(name); });
  read(j, "calibration", r.calibration, what);
  read_named(j, "calibrationMethod", r.engine.calibration, what, parse_calibration_method);
  read(j, "percentile", r.engine.percentile, what);
  read(j, "seed", r.seed, what);
  validate_quantize_request(r);
  return r;
}

void validate_quantize_request(const QuantizeRequest& r) {
  engine_checked("quantize", [&] { validate(r.engine); });
  require(r.calibration >= 1 && r.calibration <= kMaxCalibrationImages,
          "quantize: calibration must be 1 to " + std::to_string(kMaxCalibrationImages) + " images, got " +
              std::to_string(r.calibration));
}

// --- the engine's configs ---------------------------------------------------------------------

TrainConfig to_train_config(const TrainOptions& o) {
  TrainConfig c;
  c.epochs = o.epochs;
  c.batch_size = o.batch;
  c.learning_rate = o.lr;
  c.lr_schedule = o.schedule;
  c.warmup_epochs = o.warmup_epochs;
  c.seed = o.seed;
  c.optimizer.kind = o.optimizer;
  c.augment = o.augment;
  return c;
}

TrainConfig to_train_config(const DistillOptions& o) {
  TrainConfig c = to_train_config(o.train);
  c.loss = o.loss;
  c.temperature = o.temperature;
  c.alpha = o.alpha;
  c.teacher_mode = o.teacher_mode;
  c.dkd_target_weight = o.dkd_target_weight;
  c.dkd_nontarget_weight = o.dkd_nontarget_weight;
  return c;
}

PruneSettings to_prune_settings(const PruneOptions& o) {
  PruneSettings s;
  s.method = o.method;
  s.sparsity = o.sparsity;
  s.schedule = o.schedule;
  s.criterion = o.criterion;
  s.rounds = o.schedule == PruneSchedule::kIterative ? o.rounds : 1;
  s.finetune_epochs = o.finetune_epochs;
  s.seed = o.seed;
  s.train.batch_size = o.batch;
  s.train.learning_rate = o.lr;
  s.train.seed = o.seed;
  s.train.loss = o.use_teacher ? LossKind::kHinton : LossKind::kCrossEntropy;
  // The pruning job hands the fine-tuning its cached teacher logits (no augmentation while fine-tuning).
  s.train.teacher_mode = TeacherMode::kCached;
  s.train.temperature = o.temperature;
  s.train.alpha = o.alpha;
  s.train.epochs = std::max(1, o.finetune_epochs);
  return s;
}

}  // namespace distillery
