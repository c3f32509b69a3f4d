// Keeping the best epoch: the kept weights are those after the epoch with the
// best validation accuracy, restored bit for bit, and the rule's edges (ties,
// no validation, a model of another size) behave as documented.
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>

#include "engine/core/error.h"
#include "engine/metrics/metrics.h"
#include "engine/train/best_epoch.h"
#include "engine/train/band_dataset.h"

namespace distillery {
namespace {

using test::make_band_dataset;

Model make_model(uint64_t seed, int hidden = 0) {
  std::vector<nlohmann::json> layers{{{"type", "flatten"}}};
  if (hidden) layers.push_back({{"type", "dense"}, {"units", hidden}});
  layers.push_back({{"type", "dense"}, {"units", 3}});
  Rng rng(seed);
  Model m = Model::from_layer_configs(layers, Shape{6, 6, 1}, rng);
  m.class_names = {"top", "middle", "bottom"};
  return m;
}

EpochReport report(int epoch, float val_accuracy, float val_loss) {
  EpochReport r;
  r.epoch = epoch;
  r.val_accuracy = val_accuracy;
  r.val_loss = val_loss;
  return r;
}

void fill(Model& model, float value) { std::fill(model.params().values.begin(), model.params().values.end(), value); }

TEST(BestEpoch, KeepsTheHighestValidationAccuracyAndBreaksTiesByLoss) {
  Model model = make_model(1);
  BestEpochKeeper keeper;
  EXPECT_FALSE(keeper.has_best());
  fill(model, 1.0f);
  keeper.observe(report(0, 0.50f, 1.0f), model);
  fill(model, 2.0f);
  keeper.observe(report(1, 0.80f, 0.6f), model);  // best so far
  fill(model, 3.0f);
  keeper.observe(report(2, 0.70f, 0.4f), model);  // lower accuracy: a lower loss does not matter
  fill(model, 4.0f);
  keeper.observe(report(3, 0.80f, 0.7f), model);  // a tie with a higher loss: not better
  fill(model, 5.0f);
  keeper.observe(report(4, 0.80f, 0.5f), model);  // a tie with a lower loss: better
  fill(model, 6.0f);
  keeper.observe(report(5, 0.60f, 0.3f), model);
  ASSERT_TRUE(keeper.has_best());
  EXPECT_EQ(keeper.best_epoch(), 4);
  EXPECT_FLOAT_EQ(keeper.best_val_accuracy(), 0.80f);
  EXPECT_FLOAT_EQ(keeper.best_val_loss(), 0.5f);
  ASSERT_TRUE(keeper.restore(model));
  for (float v : model.params().values) ASSERT_EQ(v, 5.0f);
}

TEST(BestEpoch, WithoutValidationNothingIsKeptAndTheModelStays) {
  Model model = make_model(2);
  BestEpochKeeper keeper;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  keeper.observe(report(0, nan, nan), model);
  fill(model, 7.0f);
  EXPECT_FALSE(keeper.has_best());
  EXPECT_FALSE(keeper.restore(model));
  for (float v : model.params().values) ASSERT_EQ(v, 7.0f);
}

TEST(BestEpoch, RestoringIntoAModelOfAnotherSizeIsAnError) {
  Model small = make_model(3), large = make_model(3, 8);
  BestEpochKeeper keeper;
  keeper.observe(report(0, 0.9f, 0.1f), small);
  EXPECT_THROW(keeper.restore(large), Error);
}

TEST(BestEpoch, ThroughTheTrainerTheRestoredModelScoresTheBestEpochsValidationAccuracy) {
  // A learning rate high enough that validation accuracy moves around between
  // epochs; whichever epoch was best, the restored model must score exactly its
  // figure on the validation split, and the other callbacks still run.
  const Dataset data = make_band_dataset(240, 4);
  Model model = make_model(5, 16);
  TrainConfig config;
  config.epochs = 8;
  config.batch_size = 16;
  config.learning_rate = 0.05f;
  config.seed = 3;
  const Split split = split_indices(data.size(), 0.25f, 6);
  std::vector<EpochReport> seen;
  TrainCallbacks callbacks;
  callbacks.on_epoch = [&](const EpochReport& r) { seen.push_back(r); };
  BestEpochKeeper keeper;
  TrainingRun run(model, data, split.train, split.val, config, nullptr, keep_best_epoch(callbacks, keeper, model));
  run.run();
  ASSERT_EQ(seen.size(), 8u);
  ASSERT_TRUE(keeper.has_best());
  float best = 0;
  for (const EpochReport& r : seen) best = std::max(best, r.val_accuracy);
  EXPECT_FLOAT_EQ(keeper.best_val_accuracy(), best);
  EXPECT_FLOAT_EQ(seen[static_cast<size_t>(keeper.best_epoch())].val_accuracy, best);

  // Before restoring the model is the last epoch's; after, the best one's.
  EXPECT_NEAR(evaluate(model, data, split.val).accuracy, seen.back().val_accuracy, 1e-6);
  ASSERT_TRUE(keeper.restore(model));
  EXPECT_NEAR(evaluate(model, data, split.val).accuracy, best, 1e-6);
}

}  // namespace
}  // namespace distillery
