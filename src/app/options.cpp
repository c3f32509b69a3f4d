// Options of the JS API and the panels. Sections:
//   - the presets table
//   - reading JSON (the fields listed in options_fields.h): unknown keys, types, the engine's validation
//   - the engine's configs
#include "app/options.h"

#include "app/options_fields.h"

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

// Reads the fields an options_fields.h list names from j (absent or null keys
// keep their defaults), noting each key the list names in `named_keys` when given.
struct FieldReader {
  const nlohmann::json& j;
  const std::string& what;
  std::set<std::string>* named_keys = nullptr;

  template <typename T>
  void field(const char* key, T& out) const {
    note(key);
    read(j, key, out, what);
  }
  // A named choice given as text: the engine's name table (or parser) decides.
  template <typename T, typename Parse, typename Name>
  void named(const char* key, T& out, Parse parse, Name) const {
    note(key);
    std::string name;
    if (read(j, key, name, what)) out = engine_checked(what, [&] { return parse(name); });
  }
  void note(const char* key) const {
    if (named_keys != nullptr) named_keys->insert(key);
  }
};

// A field list as the reader walks it, e.g. visit_prune_fields.
template <typename O>
using FieldList = void (*)(O&, FieldReader&&);

// The keys a field list names (read from an empty object), for reject_unknown_keys.
template <typename O>
std::set<std::string> keys_of(FieldList<O> fields) {
  const nlohmann::json none = nlohmann::json::object();
  const std::string what;
  std::set<std::string> keys;
  O o;
  fields(o, FieldReader{none, what, &keys});
  return keys;
}

// Options that are one field list: unknown keys refused first, then the fields read.
template <typename O>
O read_fields(const nlohmann::json& j, const std::string& what, FieldList<O> fields) {
  reject_unknown_keys(j, keys_of<O>(fields), what);
  O o;
  fields(o, FieldReader{j, what});
  return o;
}

std::set<std::string> train_keys() {
  std::set<std::string> keys = keys_of<TrainOptions>(visit_train_fields);
  keys.insert("preset");  // read only: applied first, the other keys override it
  return keys;
}

TrainOptions read_train(const nlohmann::json& j, const std::string& what) {
  TrainOptions o;
  std::string preset;
  if (read(j, "preset", preset, what)) apply_training_preset(engine_checked(what, [&]() -> const TrainingPreset& {
                                                               return find_training_preset(preset);
                                                             }),
                                                             o);
  visit_train_fields(o, FieldReader{j, what});
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
  reject_unknown_keys(j, train_keys(), "trainTeacher");
  return read_train(j, "trainTeacher");
}

DistillOptions distill_options_from_json(const nlohmann::json& j) {
  const std::string what = "distill";
  std::set<std::string> keys = train_keys();
  const std::set<std::string> own = keys_of<DistillOptions>(visit_distill_fields);
  keys.insert(own.begin(), own.end());
  reject_unknown_keys(j, keys, what);
  DistillOptions o;
  o.train = read_train(j, what);
  visit_distill_fields(o, FieldReader{j, what});
  validate_distill_options(o);
  return o;
}

PruneOptions prune_options_from_json(const nlohmann::json& j) {
  const PruneOptions o = read_fields<PruneOptions>(j, "prune", visit_prune_fields);
  validate_prune_options(o);
  return o;
}

void validate_prune_options(const PruneOptions& o) {
  engine_checked("prune", [&] { validate_prune_settings(to_prune_settings(o)); });
}

QuantizeRequest quantize_request_from_json(const nlohmann::json& j) {
  const QuantizeRequest r = read_fields<QuantizeRequest>(j, "quantize", visit_quantize_fields);
  validate_quantize_request(r);
  return r;
}

void validate_quantize_request(const QuantizeRequest& r) {
  engine_checked("quantize", [&] {
    validate(r.engine);
    validate_calibration_count(r.calibration);
  });
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
