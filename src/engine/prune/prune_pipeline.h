#pragma once
// One call for the whole pruning pipeline: copy the model, prune it with a
// method and a schedule, fine-tune under the masks with the shared training
// loop (optionally distilling from a teacher's logits). It serves both of the
// write-up's recipes: teacher -> pruned copy -> fine-tune with KD (source is
// the teacher), and "distil into a pruned student" (source is the student).
//
//   PruneSettings s; s.method = PruneMethod::kGlobal; s.sparsity = 0.9f; s.finetune_epochs = 2;
//   Model pruned = prune_model(teacher, data, split.train, split.val, s);
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/data/dataset.h"
#include "engine/model/model.h"
#include "engine/prune/prune_choices.h"
#include "engine/train/trainer.h"

namespace distillery {

struct PruneSettings {
  PruneMethod method = PruneMethod::kMagnitude;
  // Fraction of the prunable weights removed (structured: of each layer's units/filters).
  float sparsity = 0.5f;
  PruneSchedule schedule = PruneSchedule::kOneShot;
  int rounds = 3;  // iterative: prune/fine-tune rounds
  // Fine-tuning epochs after one-shot pruning, after every iterative round, or
  // over the whole gradual run (polynomial: at least 1).
  int finetune_epochs = 0;
  NormCriterion criterion = NormCriterion::l2;  // structured: how units and filters are ranked
  uint64_t seed = 42;                           // random pruning
  // Polynomial: the sparsity ramps over this share of the fine-tuning steps
  // (the rest trains at the final sparsity), updating the masks every
  // `frequency` steps (0 = about 50 updates over the ramp).
  float ramp_fraction = 0.75f;
  int64_t frequency = 0;
  // Optimiser, batch size, learning rate, seed, and the loss: ce, or kd
  // with teacher logits. `epochs` is taken from finetune_epochs.
  TrainConfig train;

  nlohmann::json to_json() const;
};

// The limits of pruning, the same for every front end. Twenty rounds of
// prune-and-fine-tune is already a slow run; finer steps than that are what
// the polynomial schedule is for. Fine-tuning shares the training epochs' limit.
constexpr int kMaxPruneRounds = 20;

// Throws Error (one line, naming the setting) for a sparsity outside [0, 1), rounds or fine-tuning epochs out of their limits,
// a polynomial schedule without fine-tuning epochs or with structured
// pruning, or fine-tuning settings validate_train_config refuses.
void validate_prune_settings(const PruneSettings& settings);

struct PruneCallbacks {
  TrainCallbacks train;  // forwarded to every fine-tuning run
  // After each pruning round (1-based), with the sparsity reached (structured:
  // the fraction of parameters removed so far).
  std::function<void(int round, int rounds, double sparsity)> on_round;
};

// Returns the pruned, fine-tuned model; `source` is left untouched. Its
// provenance gains a "pruning" entry with the settings. teacher_logits
// ([data.size(), C], see compute_logits) is needed when settings.train.loss is kd.
Model prune_model(const Model& source, const Dataset& data, const std::vector<int>& train_indices,
                  const std::vector<int>& val_indices, const PruneSettings& settings,
                  const Tensor* teacher_logits = nullptr, const PruneCallbacks& callbacks = {},
                  TrainControl* control = nullptr);

}  // namespace distillery
