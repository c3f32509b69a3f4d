// The shared training loop on a small synthetic problem: it learns, it is
// reproducible, distillation and stopping work, and step() == run().
#include <gtest/gtest.h>

#include <cmath>

#include "engine/core/error.h"
#include "engine/metrics/metrics.h"
#include "engine/train/trainer.h"
#include "engine/train/band_dataset.h"

namespace distillery {
namespace {

using test::make_band_dataset;
using test::make_band_model;

TrainConfig quick_config() {
  TrainConfig c;
  c.epochs = 4;
  c.batch_size = 16;
  c.learning_rate = 0.01f;
  c.seed = 7;
  return c;
}

TEST(Trainer, LearnsASeparableProblemAndReportsEveryEpoch) {
  Dataset data = make_band_dataset(300, 1);
  Model model = make_band_model({}, 3);
  Split split = split_indices(data.size(), 0.2f, 5);
  int batches = 0;
  std::vector<EpochReport> epochs;
  TrainCallbacks callbacks;
  callbacks.on_batch = [&](const BatchReport& r) {
    ++batches;
    EXPECT_EQ(r.total_steps, 4 * 15);
  };
  callbacks.on_epoch = [&](const EpochReport& r) { epochs.push_back(r); };
  TrainingRun run(model, data, split.train, split.val, quick_config(), nullptr, callbacks);
  run.run();
  EXPECT_TRUE(run.finished());
  EXPECT_EQ(batches, 4 * 15);  // 240 training samples / 16
  ASSERT_EQ(epochs.size(), 4u);
  EXPECT_LT(epochs.back().train_loss, epochs.front().train_loss);
  EXPECT_GT(epochs.back().val_accuracy, 0.95f);
  EXPECT_GT(evaluate(model, data, split.val).accuracy, 0.95);
}

TEST(Trainer, SameSeedGivesBitIdenticalWeights) {
  Dataset data = make_band_dataset(120, 2);
  std::vector<float> weights[2];
  for (auto& w : weights) {
    Model model = make_band_model({{{"type", "dense"}, {"units", 8}}, {{"type", "relu"}}}, 11);
    TrainingRun run(model, data, all_indices(data.size()), {}, quick_config());
    run.run();
    w = model.params().values;
  }
  EXPECT_EQ(weights[0], weights[1]);
}

TEST(Trainer, SteppingByHandEqualsRun) {
  // The single-threaded page calls step() between frames; a thread calls run().
  Dataset data = make_band_dataset(90, 3);
  Model a = make_band_model({}, 4), b = make_band_model({}, 4);
  TrainingRun run_a(a, data, all_indices(data.size()), {}, quick_config());
  run_a.run();
  TrainingRun run_b(b, data, all_indices(data.size()), {}, quick_config());
  int steps = 0;
  while (run_b.step()) ++steps;
  EXPECT_EQ(steps + 1, run_b.total_steps());
  EXPECT_EQ(a.params().values, b.params().values);
}

TEST(Trainer, DistillationFollowsTheTeacher) {
  Dataset data = make_band_dataset(300, 4);
  Model teacher = make_band_model({{{"type", "dense"}, {"units", 16}}, {{"type", "relu"}}}, 5);
  TrainingRun teach(teacher, data, all_indices(data.size()), {}, quick_config());
  teach.run();
  const Tensor teacher_logits = compute_logits(teacher, data);
  ASSERT_EQ(teacher_logits.rows(), data.size());

  Model student = make_band_model({}, 6);
  TrainConfig config = quick_config();
  config.loss = LossKind::kHinton;
  config.teacher_mode = TeacherMode::kCached;
  config.temperature = 4.0f;
  config.alpha = 0.1f;
  TrainingRun run(student, data, all_indices(data.size()), {}, config, &teacher_logits);
  run.run();
  const EvalReport report = evaluate(student, data, {}, &teacher);
  EXPECT_GT(report.accuracy, 0.9);
  EXPECT_GT(report.agreement, 0.9);
  EXPECT_GT(report.teacher_accuracy, 0.9);

  // Logit matching works through the same loop.
  Model mse_student = make_band_model({}, 6);
  config.loss = LossKind::kLogitMse;
  config.teacher_mode = TeacherMode::kCached;
  TrainingRun mse_run(mse_student, data, all_indices(data.size()), {}, config, &teacher_logits);
  mse_run.run();
  EXPECT_GT(evaluate(mse_student, data, {}).accuracy, 0.9);
}

TEST(Trainer, StopFlagEndsTheRunEarly) {
  Dataset data = make_band_dataset(300, 5);
  Model model = make_band_model({}, 7);
  TrainControl control;
  int batches = 0;
  TrainCallbacks callbacks;
  callbacks.on_batch = [&](const BatchReport&) {
    if (++batches == 3) control.stop = true;
  };
  TrainingRun run(model, data, all_indices(data.size()), {}, quick_config(), nullptr, callbacks);
  run.run(&control);
  EXPECT_EQ(batches, 3);
  EXPECT_FALSE(run.finished());
}

TEST(Trainer, RejectsMismatchedInputsWithClearMessages) {
  Dataset data = make_band_dataset(30, 6);
  Model model = make_band_model({}, 8);
  TrainConfig kd = quick_config();
  kd.loss = LossKind::kHinton;
  kd.teacher_mode = TeacherMode::kCached;
  EXPECT_THROW(TrainingRun(model, data, all_indices(30), {}, kd), Error);

  Dataset two_classes = data;
  two_classes.class_names.pop_back();
  for (auto& l : two_classes.labels) l %= 2;
  try {
    TrainingRun run(model, two_classes, all_indices(30), {}, quick_config());
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("2 classes"), std::string::npos) << e.what();
  }
  TrainConfig bad = quick_config();
  bad.learning_rate = -1;
  EXPECT_THROW(TrainingRun(model, data, all_indices(30), {}, bad), Error);
}

TEST(Trainer, SplitHoldsOutTheRequestedFraction) {
  Split s = split_indices(1000, 0.1f, 1);
  EXPECT_EQ(s.val.size(), 100u);
  EXPECT_EQ(s.train.size(), 900u);
  std::vector<int> all = s.train;
  all.insert(all.end(), s.val.begin(), s.val.end());
  std::sort(all.begin(), all.end());
  EXPECT_EQ(all, all_indices(1000));
  EXPECT_THROW(split_indices(10, 1.0f, 1), Error);
}

}  // namespace
}  // namespace distillery
