// The pruning pipeline (see prune_pipeline.h).
//   - settings: validation and JSON for provenance
//   - fine_tune: one TrainingRun under the current masks
//   - the three schedules
#include "engine/prune/prune_pipeline.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include "engine/core/error.h"
#include "engine/prune/masks.h"
#include "engine/prune/schedule.h"
#include "engine/prune/structured.h"
#include "engine/prune/unstructured.h"

namespace distillery {
namespace {

void fine_tune(Model& model, const Dataset& data, const std::vector<int>& train, const std::vector<int>& val,
               const PruneSettings& s, int epochs, const Tensor* teacher_logits, TrainCallbacks callbacks,
               TrainControl* control) {
  if (epochs <= 0 || (control && control->stop.load())) return;
  TrainConfig config = s.train;
  config.epochs = epochs;
  config.teacher_mode = TeacherMode::kCached;  // fine-tuning is given the teacher's logits, not the teacher
  TrainingRun run(model, data, train, val, config, teacher_logits, std::move(callbacks));
  run.run(control);
  weights_changed(model);
}

// Fraction of parameters removed relative to the source (structured rounds).
double removed_fraction(const Model& source, const Model& now) {
  return 1.0 - static_cast<double>(now.parameter_count()) / static_cast<double>(source.parameter_count());
}

// One round of a round-based schedule: prunes `model` towards `target` and
// returns the figure the round reports (sparsity, or parameters removed).
using PruneRound = std::function<double(Model& model, int round, float target)>;

// The oneshot and iterative schedules: each round prunes, reports and fine-tunes.
Model prune_in_rounds(const Model& source, const Dataset& data, const std::vector<int>& train,
                      const std::vector<int>& val, const PruneSettings& s, const Tensor* teacher_logits,
                      const PruneCallbacks& callbacks, TrainControl* control, const PruneRound& prune_round) {
  const int rounds = s.schedule == PruneSchedule::kIterative ? s.rounds : 1;
  Model model = source.clone();
  for (int r = 1; r <= rounds; ++r) {
    const float target = rounds == 1 ? s.sparsity : iterative_sparsity(s.sparsity, r, rounds);
    const double reached = prune_round(model, r, target);
    if (callbacks.on_round) callbacks.on_round(r, rounds, reached);
    fine_tune(model, data, train, val, s, s.finetune_epochs, teacher_logits, callbacks.train, control);
  }
  return model;
}

Model prune_structured_schedule(const Model& source, const Dataset& data, const std::vector<int>& train,
                                const std::vector<int>& val, const PruneSettings& s, const Tensor* teacher_logits,
                                const PruneCallbacks& callbacks, TrainControl* control) {
  return prune_in_rounds(source, data, train, val, s, teacher_logits, callbacks, control,
                         [&](Model& model, int, float target) {
                           // Keep counts are taken from the source's widths, so rounds compound exactly.
                           model = shrink_model(
                               model, plan_structured(model, structured_keep_counts(source, target), s.criterion));
                           return removed_fraction(source, model);
                         });
}

Model prune_polynomial(const Model& source, const Dataset& data, const std::vector<int>& train,
                       const std::vector<int>& val, const PruneSettings& s, const Tensor* teacher_logits,
                       const PruneCallbacks& callbacks, TrainControl* control) {
  Model model = source.clone();
  const int64_t batches = (static_cast<int64_t>(train.size()) + s.train.batch_size - 1) / s.train.batch_size;
  const int64_t total = batches * s.finetune_epochs;
  PolynomialDecay decay;
  decay.initial_sparsity = static_cast<float>(global_sparsity(model.params()));
  decay.final_sparsity = std::max(decay.initial_sparsity, s.sparsity);
  decay.begin_step = 0;
  decay.end_step = std::max<int64_t>(1, std::min<int64_t>(total - 1, std::llround(s.ramp_fraction * total)));
  decay.frequency = s.frequency > 0 ? s.frequency : std::max<int64_t>(1, decay.end_step / 50);
  decay.validate();

  TrainCallbacks train_callbacks = callbacks.train;
  int updates = 0;
  const int planned = static_cast<int>(decay.end_step / decay.frequency) + 1;
  train_callbacks.before_step = [&, user = callbacks.train.before_step](int64_t step, Model& m) {
    if (decay.prunes_at(step)) {
      prune_unstructured(m, s.method, decay.sparsity_at(step), s.seed + static_cast<uint64_t>(step));
      if (callbacks.on_round) callbacks.on_round(++updates, planned, global_sparsity(m.params()));
    }
    if (user) user(step, m);
  };
  fine_tune(model, data, train, val, s, s.finetune_epochs, teacher_logits, train_callbacks, control);
  // A stopped run, or a ramp longer than the run, still ends at the target.
  prune_unstructured(model, s.method, decay.final_sparsity, s.seed);
  return model;
}

Model prune_unstructured_schedule(const Model& source, const Dataset& data, const std::vector<int>& train,
                                  const std::vector<int>& val, const PruneSettings& s, const Tensor* teacher_logits,
                                  const PruneCallbacks& callbacks, TrainControl* control) {
  return prune_in_rounds(source, data, train, val, s, teacher_logits, callbacks, control,
                         [&](Model& model, int round, float target) {
                           prune_unstructured(model, s.method, target, s.seed + static_cast<uint64_t>(round));
                           return global_sparsity(model.params());
                         });
}

}  // namespace

nlohmann::json PruneSettings::to_json() const {
  nlohmann::json j = {{"method", prune_method_name(method)},
                      {"sparsity", sparsity},
                      {"schedule", prune_schedule_name(schedule)},
                      {"finetune_epochs", finetune_epochs},
                      {"loss", loss_name(train.loss)}};
  if (schedule == PruneSchedule::kIterative) j["rounds"] = rounds;
  if (method == PruneMethod::kStructured) j["criterion"] = norm_criterion_name(criterion);
  if (method == PruneMethod::kRandom) j["seed"] = seed;
  if (train.loss == LossKind::kHinton) {
    j["temperature"] = train.temperature;
    j["alpha"] = train.alpha;
  }
  if (finetune_epochs > 0) {
    j["learning_rate"] = train.learning_rate;
    j["batch_size"] = train.batch_size;
    j["optimizer"] = optimizer_name(train.optimizer.kind);
    if (train.optimizer.weight_decay > 0) j["weight_decay"] = train.optimizer.weight_decay;
  }
  return j;
}

void validate_prune_settings(const PruneSettings& s) {
  check_sparsity(s.sparsity);
  require(s.rounds >= 1 && s.rounds <= kMaxPruneRounds,
          "rounds must be between 1 and " + std::to_string(kMaxPruneRounds) + ", got " + std::to_string(s.rounds));
  require(s.finetune_epochs >= 0 && s.finetune_epochs <= kMaxEpochs,
          "fine-tuning epochs must be between 0 and " + std::to_string(kMaxEpochs) + ", got " +
              std::to_string(s.finetune_epochs));
  if (s.schedule == PruneSchedule::kPolynomial) {
    require(s.method != PruneMethod::kStructured,
            "the polynomial (gradual) schedule prunes during training and needs magnitude, global or random "
            "pruning; structured pruning uses oneshot or iterative");
    require(s.finetune_epochs >= 1,
            "the polynomial (gradual) schedule prunes while fine-tuning: give at least 1 fine-tuning epoch");
    require(s.ramp_fraction > 0 && s.ramp_fraction <= 1, "the polynomial ramp fraction must be in (0, 1]");
  }
  TrainConfig fine_tuning = s.train;
  fine_tuning.epochs = std::max(1, s.finetune_epochs);
  validate_train_config(fine_tuning);
}

Model prune_model(const Model& source, const Dataset& data, const std::vector<int>& train_indices,
                  const std::vector<int>& val_indices, const PruneSettings& s, const Tensor* teacher_logits,
                  const PruneCallbacks& callbacks, TrainControl* control) {
  validate_prune_settings(s);
  require(has_prunable(source.params()), "the model has nothing to prune (no dense or conv2d kernels)");
  Model pruned = s.method == PruneMethod::kStructured ? prune_structured_schedule(source, data, train_indices, val_indices, s,
                                                                      teacher_logits, callbacks, control)
                 : s.schedule == PruneSchedule::kPolynomial
                     ? prune_polynomial(source, data, train_indices, val_indices, s, teacher_logits, callbacks, control)
                     : prune_unstructured_schedule(source, data, train_indices, val_indices, s, teacher_logits,
                                                   callbacks, control);
  nlohmann::json record = s.to_json();
  record["source"] = source.name;
  record["source_params"] = source.parameter_count();
  record["params"] = pruned.parameter_count();
  record["nonzero_params"] = pruned.nonzero_parameter_count();
  if (!pruned.provenance.is_object()) pruned.provenance = nlohmann::json::object();
  if (pruned.provenance.contains("pruning")) record["previous"] = pruned.provenance["pruning"];
  pruned.provenance["pruning"] = record;
  return pruned;
}

}  // namespace distillery
