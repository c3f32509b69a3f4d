// Where the teacher's outputs come from during training: in consistent mode
// the teacher sees exactly the student's (augmented, mixed) batch, remapped to
// its own preprocessing; cached mode without augmentation trains the same;
// unlabeled samples learn from the teacher alone; the new settings' limits;
// and the learning-rate warm-up.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "engine/core/error.h"
#include "engine/data/test_util.h"
#include "engine/layers/layer_registry.h"
#include "engine/metrics/metrics.h"
#include "engine/train/band_dataset.h"
#include "engine/train/trainer.h"

namespace distillery {
namespace {

using test::make_band_dataset;
using test::make_band_model;

// ---------------------------------------------------------------- a layer that records its input

struct Recorded {
  Shape shape;
  std::vector<float> values;
  bool training = false;
};

std::map<std::string, std::vector<Recorded>>& recordings() {
  static std::map<std::string, std::vector<Recorded>> all;
  return all;
}

// {"type": "test_record_input", "slot": NAME}: the identity, appending every
// forward pass's input to recordings()[NAME].
class RecordInput : public Layer {
 public:
  explicit RecordInput(const nlohmann::json& config) : slot_(config_value<std::string>(config, "slot")) {}
  std::string type() const override { return "test_record_input"; }
  nlohmann::json config() const override { return {{"type", type()}, {"slot", slot_}}; }
  Shape build(const Shape& input_shape) override {
    input_shape_ = output_shape_ = input_shape;
    return input_shape;
  }
  void forward(const Tensor& input, Tensor& output, bool training) override {
    recordings()[slot_].push_back({input.shape(), input.values(), training});
    output.resize(input.shape());
    std::copy(input.data(), input.data() + input.size(), output.data());
  }
  void backward(const Tensor& input, const Tensor& /*output*/, const Tensor& grad_output, Tensor& grad_input) override {
    if (!input_gradient_needed()) return;
    grad_input.resize(input.shape());
    std::copy(grad_output.data(), grad_output.data() + grad_output.size(), grad_input.data());
  }

 private:
  std::string slot_;
};

void register_recorder() {
  static const bool registered = [] {
    LayerKind kind;
    kind.type = "test_record_input";
    kind.create = construct_layer<RecordInput>;
    LayerRegistry::instance().add(std::move(kind));
    return true;
  }();
  (void)registered;
}

// The band classifier with a recorder in front: flatten, dense 3.
Model recording_band_model(const std::string& slot, uint64_t seed) {
  register_recorder();
  Rng rng(seed);
  const std::vector<nlohmann::json> layers{nlohmann::json{{"type", "test_record_input"}, {"slot", slot}},
                                           nlohmann::json{{"type", "flatten"}},
                                           nlohmann::json{{"type", "dense"}, {"units", 3}}};
  Model m = Model::from_layer_configs(layers, Shape{6, 6, 1}, rng);
  m.class_names = {"top", "middle", "bottom"};
  return m;
}

TrainConfig quick_config() {
  TrainConfig c;
  c.epochs = 2;
  c.batch_size = 16;
  c.learning_rate = 0.01f;
  c.seed = 23;
  return c;
}

// True when some value is none of the 256 the preprocessing maps pixels to:
// the batch was mixed (or resampled), not just gathered.
bool has_value_off_the_pixel_table(const std::vector<Recorded>& batches, const Preprocessing& pre) {
  std::set<float> table;
  for (int v = 0; v < 256; ++v) {
    volatile float product = float(v) * pre.scale;  // rounded alone, as augment.cpp rounds (no FMA)
    table.insert((product - pre.mean) / pre.std);
  }
  for (const Recorded& r : batches)
    for (float x : r.values)
      if (!table.count(x)) return true;
  return false;
}

// ---------------------------------------------------------------- consistent mode

TEST(TeacherMode, ConsistentTeacherSeesTheStudentsAugmentedBatchBitForBit) {
  const Dataset data = make_band_dataset(50, 1);  // 16 + 16 + 16 + 2: the short batch too
  Model teacher = recording_band_model("teacher", 2);
  Model student = recording_band_model("student", 3);
  TrainConfig config = quick_config();
  config.loss = LossKind::kHinton;
  config.teacher_mode = TeacherMode::kConsistent;
  config.augment = parse_augment_spec("shift:2,mixup:0.3");
  recordings().clear();
  TrainingRun run(student, data, all_indices(data.size()), {}, config, &teacher);
  run.run();
  const std::vector<Recorded>& seen_by_teacher = recordings()["teacher"];
  const std::vector<Recorded>& seen_by_student = recordings()["student"];
  ASSERT_EQ(run.total_steps(), 8);
  ASSERT_EQ(seen_by_teacher.size(), 8u);  // one teacher pass per step, nothing precomputed
  ASSERT_EQ(seen_by_student.size(), 8u);
  for (size_t step = 0; step < 8; ++step) {
    EXPECT_EQ(seen_by_teacher[step].shape, seen_by_student[step].shape) << "step " << step;
    EXPECT_EQ(seen_by_teacher[step].values, seen_by_student[step].values) << "step " << step;
    EXPECT_FALSE(seen_by_teacher[step].training) << "the teacher runs in inference mode";
    EXPECT_TRUE(seen_by_student[step].training);
  }
  EXPECT_EQ(seen_by_teacher[3].shape, (Shape{2, 6, 6, 1}));
  // The batches were augmented and mixed, so the equality says something.
  EXPECT_TRUE(has_value_off_the_pixel_table(seen_by_student, student.preprocessing));
}

TEST(TeacherMode, ConsistentTeacherGetsTheBatchInItsOwnPreprocessing) {
  const Dataset data = make_band_dataset(40, 4);
  Model teacher = recording_band_model("teacher", 5);
  teacher.preprocessing.mean = 0.4f;
  teacher.preprocessing.std = 0.3f;
  Model student = recording_band_model("student", 6);
  student.preprocessing.mean = 0.1f;
  student.preprocessing.std = 0.8f;
  TrainConfig config = quick_config();
  config.loss = LossKind::kDecoupled;
  config.augment = parse_augment_spec("shift:2,mixup:0.3");
  recordings().clear();
  TrainingRun run(student, data, all_indices(data.size()), {}, config, &teacher);
  run.run();
  const std::vector<Recorded>& seen_by_teacher = recordings()["teacher"];
  const std::vector<Recorded>& seen_by_student = recordings()["student"];
  ASSERT_EQ(seen_by_teacher.size(), static_cast<size_t>(run.total_steps()));
  ASSERT_EQ(seen_by_student.size(), seen_by_teacher.size());
  const Preprocessing& s = student.preprocessing;
  const Preprocessing& t = teacher.preprocessing;
  double largest_change = 0;
  for (size_t step = 0; step < seen_by_teacher.size(); ++step) {
    ASSERT_EQ(seen_by_teacher[step].shape, seen_by_student[step].shape);
    for (size_t i = 0; i < seen_by_student[step].values.size(); ++i) {
      // Back to the pixel value with the student's mapping, forward with the teacher's.
      const double x = seen_by_student[step].values[i];
      const double pixel = (x * double(s.std) + double(s.mean)) / double(s.scale);
      const double expected = (pixel * double(t.scale) - double(t.mean)) / double(t.std);
      ASSERT_NEAR(seen_by_teacher[step].values[i], expected, 1e-5) << "step " << step << " value " << i;
      largest_change = std::max(largest_change, std::abs(expected - x));
    }
  }
  EXPECT_GT(largest_change, 0.1);  // the two mappings differ, so a missed remap would fail above
  EXPECT_TRUE(has_value_off_the_pixel_table(seen_by_student, s));
}

TEST(TeacherMode, CachedAndConsistentTrainTheSameWithoutAugmentation) {
  // Without augmentation both give the student the teacher's logits of the
  // plain images; they differ only in the batch the teacher's forward pass ran
  // on (all samples in chunks of 256 for cached, the training batch for
  // consistent). Natively the weights come out bit for bit the same (a logit
  // row does not depend on the other rows of the product), but a GEMM kernel
  // may block by the batch size and sum in another order, so only agreement to
  // rounding is required.
  const Dataset data = make_band_dataset(120, 7);
  Model teacher = make_band_model({{{"type", "dense"}, {"units", 16}}, {{"type", "relu"}}}, 8);
  TrainingRun teach(teacher, data, all_indices(data.size()), {}, quick_config());
  teach.run();

  auto train_student = [&](TeacherMode mode, const char* augment) {
    Model student = make_band_model({{{"type", "dense"}, {"units", 8}}, {{"type", "relu"}}}, 9);
    TrainConfig config = quick_config();
    config.epochs = 3;
    config.loss = LossKind::kHinton;
    config.alpha = 0.2f;
    config.teacher_mode = mode;
    config.augment = parse_augment_spec(augment);
    TrainingRun run(student, data, all_indices(data.size()), {}, config, &teacher);
    run.run();
    return student.params().values;
  };
  const std::vector<float> cached = train_student(TeacherMode::kCached, "none");
  const std::vector<float> consistent = train_student(TeacherMode::kConsistent, "none");
  ASSERT_EQ(cached.size(), consistent.size());
  double largest = 0, difference = 0;
  for (size_t i = 0; i < cached.size(); ++i) {
    largest = std::max(largest, double(std::abs(cached[i])));
    difference = std::max(difference, double(std::abs(cached[i] - consistent[i])));
  }
  EXPECT_LE(difference, 1e-5 * std::max(1.0, largest));
  // With augmentation the modes part: cached looks up the un-augmented logits.
  const std::vector<float> cached_shifted = train_student(TeacherMode::kCached, "shift:2");
  const std::vector<float> consistent_shifted = train_student(TeacherMode::kConsistent, "shift:2");
  double shifted_difference = 0;
  for (size_t i = 0; i < cached.size(); ++i)
    shifted_difference = std::max(shifted_difference, double(std::abs(cached_shifted[i] - consistent_shifted[i])));
  EXPECT_GT(shifted_difference, 1e-3);
}

// ---------------------------------------------------------------- unlabeled samples

// Band data with every fifth sample unlabeled.
Dataset partly_unlabeled(int n, uint64_t seed) {
  Dataset data = make_band_dataset(n, seed);
  for (int i = 0; i < n; i += 5) data.labels[size_t(i)] = Dataset::kUnlabeled;
  return data;
}

std::vector<int> labelled_of(const Dataset& data, const std::vector<int>& indices, bool labelled) {
  std::vector<int> out;
  for (int i : indices)
    if ((data.labels[size_t(i)] != Dataset::kUnlabeled) == labelled) out.push_back(i);
  return out;
}

Model trained_teacher(const Dataset& data, const std::vector<int>& labelled) {
  Model teacher = make_band_model({{{"type", "dense"}, {"units", 16}}, {{"type", "relu"}}}, 31);
  TrainConfig config = quick_config();
  config.epochs = 4;
  TrainingRun run(teacher, data, labelled, {}, config);
  run.run();
  return teacher;
}

TEST(TeacherMode, UnlabeledSamplesNeedADistillationLoss) {
  const Dataset data = partly_unlabeled(60, 11);
  Model student = make_band_model({}, 12);
  EXPECT_ERROR_WITH(TrainingRun(student, data, all_indices(data.size()), {}, quick_config()), "unlabeled",
                    "teacher");
  // Only labelled training samples: fine.
  EXPECT_NO_THROW(TrainingRun(student, data, labelled_of(data, all_indices(60), true), {}, quick_config()));
  // Unlabeled validation samples are refused, with a teacher or not.
  Model teacher = make_band_model({}, 13);
  TrainConfig kd = quick_config();
  kd.loss = LossKind::kHinton;
  const std::vector<int> labelled = labelled_of(data, all_indices(60), true);
  EXPECT_ERROR_WITH(TrainingRun(student, data, labelled, {0, 1, 2}, kd, &teacher), "unlabeled", "validation");
  EXPECT_ERROR_WITH(TrainingRun(student, data, labelled, {5}, quick_config()), "unlabeled", "validation");
}

TEST(TeacherMode, DistillationLearnsWithUnlabeledTrainingSamples) {
  const Dataset data = partly_unlabeled(300, 14);
  const Split split = split_indices(data.size(), 0.2f, 15);
  const std::vector<int> val = labelled_of(data, split.val, true);
  const Model teacher_source = trained_teacher(data, labelled_of(data, split.train, true));
  for (LossKind loss : {LossKind::kHinton, LossKind::kDecoupled})
    for (const char* augment : {"none", "shift:1,mixup:0.2"}) {
      SCOPED_TRACE(std::string(loss_name(loss)) + " " + augment);
      Model teacher = teacher_source.clone();
      Model student = make_band_model({}, 16);
      TrainConfig config = quick_config();
      config.epochs = 4;
      config.loss = loss;
      config.augment = parse_augment_spec(augment);
      TrainingRun run(student, data, split.train, val, config, &teacher);
      run.run();
      ASSERT_TRUE(run.finished());
      for (float w : student.params().values) ASSERT_TRUE(std::isfinite(w));
      EXPECT_GT(run.history().back().val_accuracy, 0.9f);
    }
  // Only unlabeled training samples: the teacher alone teaches; no labelled accuracy to report.
  Model teacher = teacher_source.clone();
  Model student = make_band_model({}, 17);
  TrainConfig config = quick_config();
  config.epochs = 15;  // 48 samples, 3 batches an epoch
  config.learning_rate = 0.03f;
  config.loss = LossKind::kHinton;
  config.alpha = 0.5f;
  TrainingRun run(student, data, labelled_of(data, split.train, false), val, config, &teacher);
  run.run();
  EXPECT_EQ(run.history().back().train_accuracy, 0.0f);
  EXPECT_GT(run.history().back().val_accuracy, 0.8f);
}

TEST(TeacherMode, EpochTrainAccuracyCountsOnlyLabelledSamples) {
  // A student that (almost) stops learning: a learning rate of 1e-20 moves no
  // weight, so the epoch's accuracy is that of the starting weights over the
  // training samples -- the labelled ones only.
  const Dataset data = partly_unlabeled(100, 18);
  const std::vector<int> train = all_indices(data.size());
  const std::vector<int> labelled = labelled_of(data, train, true);
  Model teacher = trained_teacher(data, labelled);
  Model student = make_band_model({}, 19);
  TrainConfig warm = quick_config();
  warm.epochs = 1;
  warm.learning_rate = 0.002f;
  TrainingRun warm_run(student, data, labelled, {}, warm);
  warm_run.run();
  const std::vector<float> before = student.params().values;

  const std::vector<int> predicted = predicted_classes(compute_logits(student, data));
  int correct = 0;
  for (int i : labelled) correct += predicted[size_t(i)] == data.labels[size_t(i)];
  const double expected = double(correct) / double(labelled.size());
  const double over_all = double(correct) / double(train.size());
  ASSERT_GT(correct, 0);

  TrainConfig config = quick_config();
  config.learning_rate = 1e-20f;
  config.loss = LossKind::kHinton;
  config.alpha = 0.5f;
  std::vector<EpochReport> epochs;
  TrainCallbacks callbacks;
  callbacks.on_epoch = [&](const EpochReport& r) { epochs.push_back(r); };
  TrainingRun run(student, data, train, {}, config, &teacher, callbacks);
  run.run();
  EXPECT_EQ(student.params().values, before);
  ASSERT_EQ(epochs.size(), 2u);
  for (const EpochReport& r : epochs) {
    EXPECT_NEAR(r.train_accuracy, expected, 1e-6) << "epoch " << r.epoch;
    EXPECT_GT(std::abs(r.train_accuracy - over_all), 0.05) << "unlabeled samples counted as wrong";
  }
}

// ---------------------------------------------------------------- the settings

TEST(TeacherMode, ValidateTrainConfigNamesTheBadSetting) {
  EXPECT_NO_THROW(validate_train_config(TrainConfig{}));
  TrainConfig c;
  c.epochs = 5;
  c.warmup_epochs = 5;
  EXPECT_NO_THROW(validate_train_config(c));
  c.warmup_epochs = 6;
  EXPECT_ERROR_WITH(validate_train_config(c), "warm-up", "0 to 5", "6");
  c.warmup_epochs = -1;
  EXPECT_ERROR_WITH(validate_train_config(c), "warm-up");

  c = TrainConfig{};
  c.dkd_target_weight = -0.5f;
  EXPECT_ERROR_WITH(validate_train_config(c), "dkd");
  c = TrainConfig{};
  c.dkd_nontarget_weight = -1;
  EXPECT_ERROR_WITH(validate_train_config(c), "dkd");
  c = TrainConfig{};
  c.dkd_nontarget_weight = std::nanf("");
  EXPECT_ERROR_WITH(validate_train_config(c), "dkd");
  c = TrainConfig{};
  c.dkd_target_weight = 0;
  c.dkd_nontarget_weight = 0;
  EXPECT_NO_THROW(validate_train_config(c));

  c = TrainConfig{};
  c.augment.shift = 65;
  EXPECT_ERROR_WITH(validate_train_config(c), "augment", "shift");
  c = TrainConfig{};
  c.augment.scale = 0.95f;
  EXPECT_ERROR_WITH(validate_train_config(c), "augment", "scale");

  // TrainingRun refuses the same.
  const Dataset data = make_band_dataset(30, 20);
  Model model = make_band_model({}, 21);
  c = quick_config();
  c.warmup_epochs = 3;
  EXPECT_ERROR_WITH(TrainingRun(model, data, all_indices(30), {}, c), "warm-up");
}

TEST(TeacherMode, ConsistentModeNeedsTheTeacherModel) {
  const Dataset data = make_band_dataset(30, 22);
  Model student = make_band_model({}, 23);
  Model teacher = make_band_model({}, 24);
  const Tensor logits = compute_logits(teacher, data);
  TrainConfig config = quick_config();
  config.loss = LossKind::kDecoupled;
  config.teacher_mode = TeacherMode::kConsistent;
  EXPECT_ERROR_WITH(TrainingRun(student, data, all_indices(30), {}, config, &logits), "consistent",
                    "teacher model");
  EXPECT_ERROR_WITH(TrainingRun(student, data, all_indices(30), {}, config), "'dkd' loss needs a teacher");
  // The model, or both, will do; cached mode takes the logits alone.
  EXPECT_NO_THROW(TrainingRun(student, data, all_indices(30), {}, config, &teacher));
  EXPECT_NO_THROW(TrainingRun(student, data, all_indices(30), {}, config, TeacherSignal(&teacher, &logits)));
  config.teacher_mode = TeacherMode::kCached;
  EXPECT_NO_THROW(TrainingRun(student, data, all_indices(30), {}, config, &logits));
}

TEST(TeacherMode, ModeNamesRoundTripAndUnknownNameListsThem) {
  for (TeacherMode mode : {TeacherMode::kConsistent, TeacherMode::kCached})
    EXPECT_EQ(teacher_mode_from_name(teacher_mode_name(mode)), mode);
  EXPECT_STREQ(teacher_mode_name(TeacherMode::kConsistent), "consistent");
  EXPECT_STREQ(teacher_mode_name(TeacherMode::kCached), "cached");
  EXPECT_ERROR_WITH(teacher_mode_from_name("live"), "unknown teacher mode 'live'", "consistent", "cached");
}

// ---------------------------------------------------------------- warm-up

TEST(TeacherMode, WarmupRampsTheLearningRateLinearlyOverTheFirstEpoch) {
  const Dataset data = make_band_dataset(80, 25);  // 5 batches of 16 per epoch
  for (const char* schedule : {"constant", "cosine"}) {
    SCOPED_TRACE(schedule);
    Model model = make_band_model({}, 26);
    TrainConfig config = quick_config();
    config.epochs = 3;
    config.learning_rate = 0.02f;
    config.lr_schedule = lr_schedule_from_name(schedule);
    config.warmup_epochs = 1;
    std::vector<BatchReport> batches;
    TrainCallbacks callbacks;
    callbacks.on_batch = [&](const BatchReport& r) { batches.push_back(r); };
    TrainingRun run(model, data, all_indices(data.size()), {}, config, nullptr, callbacks);
    run.run();
    ASSERT_EQ(batches.size(), 15u);
    for (int b = 0; b < 5; ++b) {
      EXPECT_EQ(batches[size_t(b)].epoch, 0);
      EXPECT_FLOAT_EQ(batches[size_t(b)].learning_rate, 0.02f * float(b + 1) / 5.0f) << "batch " << b;
    }
    for (int b = 1; b < 5; ++b)  // linear: equal steps
      EXPECT_NEAR(batches[size_t(b)].learning_rate - batches[size_t(b - 1)].learning_rate, 0.004f, 1e-7f);
    // Then the schedule from the full rate.
    EXPECT_FLOAT_EQ(batches[5].learning_rate, 0.02f);
    for (size_t b = 6; b < batches.size(); ++b) {
      if (std::string(schedule) == "constant")
        EXPECT_FLOAT_EQ(batches[b].learning_rate, 0.02f) << "batch " << b;
      else
        EXPECT_LT(batches[b].learning_rate, batches[b - 1].learning_rate) << "batch " << b;
    }
  }
  // No warm-up: the full rate from the first step.
  Model model = make_band_model({}, 26);
  float first = 0;
  TrainCallbacks callbacks;
  callbacks.on_batch = [&](const BatchReport& r) {
    if (r.step == 1) first = r.learning_rate;
  };
  TrainConfig config = quick_config();
  config.learning_rate = 0.02f;
  TrainingRun run(model, data, all_indices(data.size()), {}, config, nullptr, callbacks);
  run.run();
  EXPECT_FLOAT_EQ(first, 0.02f);
}

}  // namespace
}  // namespace distillery
