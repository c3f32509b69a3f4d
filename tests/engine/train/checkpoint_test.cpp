// Training checkpoints: a run stopped after an epoch and continued from its
// checkpoint in a new TrainingRun (a new model object, as after a page
// reload) ends with the same bits as a run that was never interrupted, for
// every optimiser, with dropout, batch norm, a cosine schedule and
// distillation; the checkpoint survives JSON; a checkpoint that does not fit
// the run is refused.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "engine/core/error.h"
#include "engine/train/checkpoint.h"
#include "engine/train/trainer.h"
#include "engine/train/band_dataset.h"

namespace distillery {
namespace {

using test::make_band_dataset;

// Dropout draws from the model's generator and batch norm keeps moving
// statistics outside the optimiser: both must come back from a checkpoint.
Model make_model(uint64_t seed) {
  std::vector<nlohmann::json> layers{{{"type", "flatten"}},
                                     {{"type", "dense"}, {"units", 12}},
                                     {{"type", "batch_norm"}},
                                     {{"type", "relu"}},
                                     {{"type", "dropout"}, {"rate", 0.3}},
                                     {{"type", "dense"}, {"units", 3}}};
  Rng rng(seed);
  return Model::from_layer_configs(layers, Shape{6, 6, 1}, rng);
}

TrainConfig config_for(const std::string& optimizer) {
  TrainConfig c;
  c.epochs = 4;
  c.batch_size = 16;
  c.learning_rate = 0.01f;
  c.lr_schedule = LrSchedule::kCosine;
  c.seed = 11;
  c.optimizer.kind = optimizer_from_name(optimizer);
  c.optimizer.weight_decay = 1e-3f;
  c.loss = LossKind::kHinton;
  c.teacher_mode = TeacherMode::kCached;
  return c;
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

class CheckpointResume : public ::testing::TestWithParam<std::string> {};

TEST_P(CheckpointResume, ResumingAfterEachEpochGivesTheUninterruptedRunsBits) {
  const Dataset data = make_band_dataset(150, 1);
  const Split split = split_indices(data.size(), 0.2f, 5);
  Model teacher = make_model(99);
  const Tensor logits = compute_logits(teacher, data);
  const TrainConfig config = config_for(GetParam());

  Model straight = make_model(3);
  TrainingRun whole(straight, data, split.train, split.val, config, &logits);
  whole.run();
  ASSERT_TRUE(whole.finished());

  for (int stop_after = 1; stop_after < config.epochs; ++stop_after) {
    // The first run stops after `stop_after` epochs; its checkpoint goes through JSON text.
    Model first = make_model(3);
    TrainingRun interrupted(first, data, split.train, split.val, config, &logits);
    while (interrupted.current_epoch() < stop_after) interrupted.step();
    const std::string stored = checkpoint_to_json(interrupted.checkpoint()).dump();

    // A new model with other initial weights: everything must come from the checkpoint.
    Model second = make_model(1234);
    TrainingRun resumed(second, data, split.train, split.val, config, &logits);
    resumed.restore(checkpoint_from_json(nlohmann::json::parse(stored)));
    EXPECT_EQ(resumed.current_epoch(), stop_after);
    EXPECT_EQ(resumed.steps_done(), interrupted.steps_done());
    resumed.run();

    EXPECT_TRUE(same_bits(second.params().values, straight.params().values)) << "stopped after epoch " << stop_after;
    EXPECT_EQ(resumed.steps_done(), whole.steps_done());
    EXPECT_EQ(resumed.optimizer().steps(), whole.optimizer().steps());
    ASSERT_EQ(resumed.history().size(), whole.history().size());
    EXPECT_EQ(resumed.history().back().train_loss, whole.history().back().train_loss);
    EXPECT_EQ(resumed.history().back().val_accuracy, whole.history().back().val_accuracy);
  }
}

INSTANTIATE_TEST_SUITE_P(Optimizers, CheckpointResume, ::testing::Values("sgd", "adam", "adamw"));

TEST(Checkpoint, WithoutRestoringTheRunDiffers) {
  // The bit-identity above is not an accident of the data: a run that only
  // reloads the weights (no optimiser state, no shuffle order) ends elsewhere.
  const Dataset data = make_band_dataset(150, 1);
  const Split split = split_indices(data.size(), 0.2f, 5);
  TrainConfig config = config_for("adam");
  config.loss = LossKind::kCrossEntropy;
  Model straight = make_model(3);
  TrainingRun whole(straight, data, split.train, split.val, config);
  whole.run();

  Model first = make_model(3);
  TrainingRun interrupted(first, data, split.train, split.val, config);
  while (interrupted.current_epoch() < 2) interrupted.step();
  TrainingCheckpoint c = interrupted.checkpoint();
  c.optimizer_state.assign(c.optimizer_state.size(), {});  // lose the moments only
  c.optimizer_steps = 0;
  Model second = make_model(3);
  TrainingRun resumed(second, data, split.train, split.val, config);
  resumed.restore(c);
  resumed.run();
  EXPECT_FALSE(same_bits(second.params().values, straight.params().values));
}

TEST(Checkpoint, IsTakenOnlyBetweenEpochs) {
  const Dataset data = make_band_dataset(60, 1);
  const Split split = split_indices(data.size(), 0.0f, 5);
  TrainConfig config = config_for("adam");
  config.loss = LossKind::kCrossEntropy;
  Model model = make_model(3);
  TrainingRun run(model, data, split.train, split.val, config);
  EXPECT_NO_THROW(run.checkpoint());
  run.step();
  EXPECT_THROW(run.checkpoint(), Error);
}

TEST(Checkpoint, ACheckpointThatDoesNotFitIsRefused) {
  const Dataset data = make_band_dataset(90, 1);
  const Split split = split_indices(data.size(), 0.2f, 5);
  TrainConfig config = config_for("adam");
  config.loss = LossKind::kCrossEntropy;
  Model model = make_model(3);
  TrainingRun run(model, data, split.train, split.val, config);
  while (run.current_epoch() < 1) run.step();
  const TrainingCheckpoint good = run.checkpoint();

  auto refused = [&](TrainingCheckpoint c, TrainConfig cfg, const std::string& message) {
    Model fresh = make_model(5);
    TrainingRun again(fresh, data, split.train, split.val, cfg);
    try {
      again.restore(c);
      ADD_FAILURE() << "accepted: " << message;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
    }
  };
  TrainingCheckpoint c = good;
  c.weights.pop_back();
  refused(c, config, "weights but the model has");
  c = good;
  c.train_order[0] = 100000;
  refused(c, config, "training samples are not this run's");
  TrainConfig other_batch = config;
  other_batch.batch_size = 8;
  refused(good, other_batch, "do not fit this run's settings");
  TrainConfig sgd = config;
  sgd.optimizer.kind = OptimizerKind::kSgd;
  refused(good, sgd, "another optimizer");

  // Restored after a step: refused too.
  Model fresh = make_model(5);
  TrainingRun stepped(fresh, data, split.train, split.val, config);
  stepped.step();
  EXPECT_THROW(stepped.restore(good), Error);
}

TEST(Checkpoint, JsonRoundTripAndBrokenJson) {
  const Dataset data = make_band_dataset(60, 1);
  const Split split = split_indices(data.size(), 0.0f, 5);  // no validation: NaN in the history
  TrainConfig config = config_for("adam");
  config.loss = LossKind::kCrossEntropy;
  Model model = make_model(3);
  TrainingRun run(model, data, split.train, split.val, config);
  while (run.current_epoch() < 2) run.step();
  const TrainingCheckpoint c = run.checkpoint();
  const TrainingCheckpoint back = checkpoint_from_json(nlohmann::json::parse(checkpoint_to_json(c).dump()));
  EXPECT_TRUE(same_bits(back.weights, c.weights));
  EXPECT_TRUE(same_bits(back.masks, c.masks));
  ASSERT_EQ(back.optimizer_state.size(), 2u);
  EXPECT_TRUE(same_bits(back.optimizer_state[1], c.optimizer_state[1]));
  EXPECT_EQ(back.train_order, c.train_order);
  EXPECT_EQ(back.shuffle_rng, c.shuffle_rng);
  EXPECT_EQ(back.dropout_rng, c.dropout_rng);
  EXPECT_EQ(back.steps, c.steps);
  EXPECT_EQ(back.optimizer_steps, c.optimizer_steps);
  ASSERT_EQ(back.history.size(), 2u);
  EXPECT_TRUE(std::isnan(back.history[1].val_accuracy));
  EXPECT_EQ(back.history[1].train_loss, c.history[1].train_loss);

  nlohmann::json j = checkpoint_to_json(c);
  j.erase("weights");
  EXPECT_THROW(checkpoint_from_json(j), Error);
  j = checkpoint_to_json(c);
  j["weights"] = "not base64!";
  EXPECT_THROW(checkpoint_from_json(j), Error);
  j = checkpoint_to_json(c);
  j["shuffle_rng"] = {1, 2, 3};
  EXPECT_THROW(checkpoint_from_json(j), Error);
  EXPECT_THROW(checkpoint_from_json(nlohmann::json::array()), Error);
}

}  // namespace
}  // namespace distillery
