#pragma once
// Settings of the things a user can start (train a teacher, distil, prune),
// shared by the panels and the JS API. Reading them from JSON checks every
// field and names the bad one.
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/train/trainer.h"

namespace distillery {

struct TrainOptions {
  std::string arch = "dense:32";  // layer spec (see engine/model/arch_spec.h)
  int epochs = 3;
  int batch = 64;
  float lr = 1e-3f;
  std::string optimizer = "adam";   // "adam", "adamw", "sgd"
  std::string schedule = "constant";  // "constant", "cosine"
  uint64_t seed = 1;
};

struct DistillOptions {
  TrainOptions train;
  float temperature = 4.0f;
  float alpha = 0.1f;
  // "kd" (Hinton), "mse" (logit matching) or "ce" (no teacher: the baseline).
  std::string loss = "kd";
};

struct PruneOptions {
  std::string method = "global";    // "magnitude" (per layer), "global", "random", "structured"
  float sparsity = 0.8f;             // fraction of prunable weights removed
  // "oneshot"; "iterative" (rounds of prune + fine-tune); "gradual" (the
  // polynomial ramp of Zhu & Gupta while fine-tuning)
  std::string schedule = "oneshot";
  int rounds = 3;                    // iterative
  int finetune_epochs = 1;           // per round for iterative
  bool use_teacher = true;           // fine-tune with distillation from the teacher
  float temperature = 4.0f;
  float alpha = 0.1f;
  float lr = 5e-4f;
  int batch = 64;
  uint64_t seed = 1;
};

// Unknown keys are errors too: a typo should not silently use a default.
TrainOptions train_options_from_json(const nlohmann::json& j);
DistillOptions distill_options_from_json(const nlohmann::json& j);
PruneOptions prune_options_from_json(const nlohmann::json& j);

// The engine's TrainConfig for these options.
TrainConfig to_train_config(const TrainOptions& o);
// The engine's PruneSettings for these options ("gradual" is its "polynomial").
struct PruneSettings;
PruneSettings to_prune_settings(const PruneOptions& o);

}  // namespace distillery
