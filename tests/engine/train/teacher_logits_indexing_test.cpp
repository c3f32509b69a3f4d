// Distillation's bookkeeping: the cached teacher logits are the teacher's own
// forward of each sample (with the teacher's preprocessing, across chunk
// boundaries), the trainer looks up the row of the sample it trains on (through
// the validation split and every epoch's shuffle), and the accuracy it reports
// is against the hard labels, not the teacher.
#include <gtest/gtest.h>

#include <cmath>

#include "engine/data/batch.h"
#include "engine/metrics/metrics.h"
#include "engine/train/trainer.h"
#include "engine/train/band_dataset.h"

namespace distillery {
namespace {

using test::make_band_dataset;
using test::make_band_model;

// A wrong "teacher" for the 3-class band data: it names the next class,
// (label + 1) % 3, for every sample, with logit 6 against 0.
Tensor next_class_teacher_logits(const Dataset& data) {
  Tensor logits(Shape{data.size(), 3});
  for (int i = 0; i < data.size(); ++i)
    for (int k = 0; k < 3; ++k) logits[i * 3 + k] = k == (data.labels[i] + 1) % 3 ? 6.0f : 0.0f;
  return logits;
}

TEST(TeacherLogits, RowIIsTheTeachersForwardOfSampleIAcrossChunks) {
  const Dataset data = make_band_dataset(23, 1);
  Model teacher = make_band_model({{{"type", "dense"}, {"units", 8}}, {{"type", "relu"}}}, 2);
  teacher.preprocessing.mean = 0.4f;  // not the default: the teacher's own must be used
  teacher.preprocessing.std = 0.3f;
  const Tensor logits = compute_logits(teacher, data, /*chunk=*/5);  // 23 = 4 chunks of 5 and one of 3
  ASSERT_EQ(logits.rows(), data.size());
  ASSERT_EQ(logits.row_size(), 3);
  Tensor one;
  for (int i = 0; i < data.size(); ++i) {
    gather_batch(data, &i, 1, teacher.preprocessing, one);
    const Tensor& out = teacher.forward(one, false);
    // Equal up to the GEMM's summation order, which depends on the batch size.
    for (int k = 0; k < 3; ++k) EXPECT_NEAR(logits[i * 3 + k], out[k], 1e-5f) << "sample " << i << " class " << k;
  }
  // With the default preprocessing the logits differ, so the check above can fail.
  Model default_pre = teacher.clone();
  default_pre.preprocessing = Preprocessing{};
  const Tensor other = compute_logits(default_pre, data, 5);
  double difference = 0;
  for (int64_t j = 0; j < other.size(); ++j) difference += std::abs(other[j] - logits[j]);
  EXPECT_GT(difference, 1e-2);
}

TEST(TeacherLogits, TrainerLooksUpTheRowOfTheSampleItTrainsOn) {
  // A "teacher" that names the next class, (label + 1) % 3, for every sample. A
  // student trained only on its soft targets (alpha = 0) learns that rotation if
  // and only if each batch gets the rows of its own samples; a row of another
  // sample names another rotation 2 times in 3.
  const Dataset data = make_band_dataset(600, 3);
  const Tensor teacher_logits = next_class_teacher_logits(data);

  Model student = make_band_model({}, 4);
  TrainConfig config;
  config.epochs = 6;
  config.batch_size = 16;
  config.learning_rate = 0.01f;
  config.seed = 9;
  config.loss = LossKind::kHinton;
  config.teacher_mode = TeacherMode::kCached;
  config.temperature = 4.0f;
  config.alpha = 0.0f;
  const Split split = split_indices(data.size(), 0.25f, 11);  // training samples are a shuffled subset
  std::vector<float> batch_accuracies;
  std::vector<EpochReport> epochs;
  TrainCallbacks callbacks;
  callbacks.on_batch = [&](const BatchReport& r) { batch_accuracies.push_back(r.accuracy); };
  callbacks.on_epoch = [&](const EpochReport& r) { epochs.push_back(r); };
  TrainingRun run(student, data, split.train, split.val, config, &teacher_logits, callbacks);
  run.run();

  // The held-out samples follow the rotation: learned from the right rows.
  const std::vector<int> predicted = predicted_classes(compute_logits(student, data));
  int rotated = 0;
  for (int i : split.val) rotated += predicted[i] == (data.labels[i] + 1) % 3;
  EXPECT_GT(rotated, 0.95 * static_cast<double>(split.val.size()));
  // The reported accuracies are against the hard labels, which the student now
  // gets wrong: near 0, not the near 1 of agreeing with the teacher.
  ASSERT_EQ(epochs.size(), 6u);
  EXPECT_LT(epochs.back().train_accuracy, 0.05f);
  EXPECT_LT(epochs.back().val_accuracy, 0.05f);
  EXPECT_LT(batch_accuracies.back(), 0.2f);
  // The loss went down while that accuracy did: the soft term was what trained.
  EXPECT_LT(epochs.back().train_loss, epochs.front().train_loss);
}

TEST(TeacherLogits, HardLabelsStillTrainTheStudentWithAlphaOne) {
  // The same wrong teacher with alpha = 1 has no say: the student learns the labels.
  const Dataset data = make_band_dataset(300, 5);
  const Tensor teacher_logits = next_class_teacher_logits(data);
  Model student = make_band_model({}, 6);
  TrainConfig config;
  config.epochs = 4;
  config.batch_size = 16;
  config.learning_rate = 0.01f;
  config.loss = LossKind::kHinton;
  config.teacher_mode = TeacherMode::kCached;
  config.alpha = 1.0f;
  const Split split = split_indices(data.size(), 0.2f, 3);
  TrainingRun run(student, data, split.train, split.val, config, &teacher_logits);
  run.run();
  EXPECT_GT(run.history().back().val_accuracy, 0.95f);
  EXPECT_GT(run.history().back().train_accuracy, 0.9f);
}

}  // namespace
}  // namespace distillery
