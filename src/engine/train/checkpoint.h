#pragma once
// TrainingCheckpoint: everything a TrainingRun carries from one epoch to the
// next, so a run interrupted (a page reload, a crash) continues where it was
// instead of starting over. Taken between epochs; restoring it into a new
// TrainingRun over the same model architecture, data, split and config gives
// bit-identical weights to a run that was never interrupted.
//
//   TrainingCheckpoint c = run.checkpoint();          // after an epoch
//   nlohmann::json j = checkpoint_to_json(c);          // for storage
//   TrainingRun again(model2, data, train, val, config, logits);
//   again.restore(checkpoint_from_json(j));            // then again.run()
#include <array>
#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/train/trainer.h"

namespace distillery {

struct TrainingCheckpoint {
  int epochs_done = 0;             // epochs finished; the next one starts at batch 0
  int64_t steps = 0;               // global step count (the learning-rate schedule uses it)
  int64_t optimizer_steps = 0;     // Adam's bias correction uses it
  std::vector<std::vector<float>> optimizer_state;  // moment buffers, as Optimizer::state() lists them
  std::vector<float> weights;      // the model's ParamStore values (trainable and not: batch-norm statistics)
  std::vector<float> masks;        // the pruning masks
  std::vector<int> train_order;    // the shuffled training indices of the next epoch
  std::array<uint32_t, 4> shuffle_rng{};
  std::array<uint32_t, 4> dropout_rng{};
  std::vector<EpochReport> history;
};

// Floats as base64 of little-endian float32, so the JSON is exact and compact.
nlohmann::json checkpoint_to_json(const TrainingCheckpoint& checkpoint);
// Throws Error naming the field when the JSON is not a checkpoint.
TrainingCheckpoint checkpoint_from_json(const nlohmann::json& j);

}  // namespace distillery
