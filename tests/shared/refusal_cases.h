#pragma once
// Settings every front end must refuse with the same words: the engine's
// validator message, which the CLI prints after "distillery: COMMAND: " and
// the JS API returns after "METHOD: ". cli_limits_test and app_limits_test
// both walk this one list.
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/core/error.h"
#include "engine/prune/prune_pipeline.h"
#include "engine/train/trainer.h"

namespace distillery::testing {

struct RefusalCase {
  std::string cli_command;  // "train", "distill", "prune"
  std::string cli_flags;    // the bad setting as flags
  std::string app_method;   // "trainTeacher", "distill", "prune"
  nlohmann::json app_options;
  std::function<void()> engine_check;  // the same setting given to the engine's validator
};

// The engine's words for a setting: what engine_check throws.
inline std::string engine_words(const RefusalCase& c) {
  try {
    c.engine_check();
  } catch (const Error& e) {
    return e.what();
  }
  return "(the engine accepted it)";
}

inline std::vector<RefusalCase> refusal_cases() {
  auto train = [](auto edit) {
    return [edit] {
      TrainConfig c;
      edit(c);
      validate_train_config(c);
    };
  };
  auto prune = [](auto edit) {
    return [edit] {
      PruneSettings s;
      edit(s);
      validate_prune_settings(s);
    };
  };
  return {
      {"train", "--epochs 5000", "trainTeacher", {{"epochs", 5000}}, train([](TrainConfig& c) { c.epochs = 5000; })},
      {"train", "--batch 10000", "trainTeacher", {{"batch", 10000}},
       train([](TrainConfig& c) { c.batch_size = 10000; })},
      {"distill", "--epochs 0", "distill", {{"epochs", 0}}, train([](TrainConfig& c) { c.epochs = 0; })},
      {"distill", "--temperature 500", "distill", {{"temperature", 500}},
       train([](TrainConfig& c) { c.temperature = 500; })},
      {"prune", "--method global --sparsity 0.5 --schedule iterative --rounds 50", "prune",
       {{"method", "global"}, {"sparsity", 0.5}, {"schedule", "iterative"}, {"rounds", 50}},
       prune([](PruneSettings& s) { s.schedule = PruneSchedule::kIterative, s.rounds = 50; })},
      {"prune", "--method global --sparsity 0.5 --finetune-epochs 2000", "prune",
       {{"method", "global"}, {"sparsity", 0.5}, {"finetuneEpochs", 2000}},
       prune([](PruneSettings& s) { s.finetune_epochs = 2000; })},
      {"prune", "--method global --sparsity 0.5 --finetune-epochs 1 --batch 10000", "prune",
       {{"method", "global"}, {"sparsity", 0.5}, {"finetuneEpochs", 1}, {"batch", 10000}},
       prune([](PruneSettings& s) { s.finetune_epochs = 1, s.train.batch_size = 10000; })},
      // The app's word for the schedule (gradual) and the CLI's (polynomial) name one thing.
      {"prune", "--method structured --sparsity 0.5 --schedule polynomial --finetune-epochs 1", "prune",
       {{"method", "structured"}, {"sparsity", 0.5}, {"schedule", "gradual"}, {"finetuneEpochs", 1}},
       prune([](PruneSettings& s) {
         s.method = PruneMethod::kStructured, s.schedule = PruneSchedule::kPolynomial, s.finetune_epochs = 1;
       })},
  };
}

}  // namespace distillery::testing
