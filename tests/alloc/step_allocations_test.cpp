// A warm training step allocates nothing: TrainingRun::step() for an MLP and a
// CNN with the distillation loss and Adam, on 1 and 2 threads, counted over
// whole epochs (partial last batch, validation and reshuffle included). And
// measuring a model's size allocates no weights, even at the size limit.
//
// Counted by tests/support/counting_allocator.cpp, linked into this
// executable alone.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/core/settings.h"
#include "engine/model/arch_spec.h"
#include "engine/train/trainer.h"
#include "support/counting_allocator.h"

namespace distillery {
namespace {

using alloc_count::allocated_bytes;
using alloc_count::allocations;

constexpr int kClasses = 4;

// Random 12x12 gray images; the labels cycle through the classes.
Dataset random_images(int samples, uint64_t seed) {
  Dataset d;
  d.height = d.width = 12;
  d.channels = 1;
  for (int c = 0; c < kClasses; ++c) d.class_names.push_back("class" + std::to_string(c));
  Rng rng(seed);
  d.pixels.resize(static_cast<size_t>(samples) * 12 * 12);
  for (uint8_t& p : d.pixels) p = static_cast<uint8_t>(rng.below(256));
  for (int i = 0; i < samples; ++i) d.labels.push_back(i % kClasses);
  return d;
}

std::vector<nlohmann::json> layers_of(const std::string& model) {
  if (model == "mlp")
    return {{{"type", "flatten"}},
            {{"type", "dense"}, {"units", 256}},  // panels over 128 KB: Eigen alone would malloc them
            {{"type", "relu"}},
            {{"type", "dense"}, {"units", 16}},
            {{"type", "relu"}},
            {{"type", "dense"}, {"units", kClasses}}};
  // A graph: residual and inverted-residual blocks, with training batch norms
  // and adds whose inputs' gradients are summed.
  if (model == "residual") return parse_arch_spec("conv:8:3,res:8,mbconv:8:2,gap", kClasses);
  // A MobileNet-style block: depthwise, relu6, pointwise.
  if (model == "mobile")
    return {{{"type", "conv2d"}, {"filters", 8}, {"kernel_size", 3}, {"padding", "same"}},
            {{"type", "depthwise_conv2d"}, {"kernel_size", 3}, {"strides", 2}, {"padding", "same"}},
            {{"type", "relu6"}},
            {{"type", "conv2d"}, {"filters", 16}, {"kernel_size", 1}},
            {{"type", "global_avg_pool2d"}},
            {{"type", "dense"}, {"units", kClasses}}};
  return {{{"type", "conv2d"}, {"filters", 4}, {"kernel_size", 3}},
          {{"type", "relu"}},
          {{"type", "maxpool2d"}, {"pool_size", 2}},
          {{"type", "conv2d"}, {"filters", 8}, {"kernel_size", 3}, {"padding", "same"}},
          {{"type", "relu"}},
          {{"type", "maxpool2d"}, {"pool_size", 2}},
          {{"type", "flatten"}},
          {{"type", "dense"}, {"units", kClasses}}};
}

struct StepAllocations {
  long warm_steps = 0;
  long allocations = 0;
};

// Trains `model` with KD + Adam; warms up for two epochs, then counts the
// allocations of the next two epochs' steps. By default the teacher's logits
// are cached and batches are not augmented; `augment` and a teacher model in
// consistent mode (the teacher runs on every augmented batch) are the options.
struct RunOptions {
  std::string augment = "none";
  bool consistent_teacher = false;
};

StepAllocations count_step_allocations(const std::string& model_name, int threads,
                                       const RunOptions& options = RunOptions()) {
  set_thread_count(threads);
  const int samples = 120;  // 100 training samples: 6 batches of 16 and one of 4
  Dataset data = random_images(samples, 7);
  Rng rng(3);
  Model model = Model::from_layer_configs(layers_of(model_name), Shape{12, 12, 1}, rng);
  Tensor teacher_logits(Shape{samples, kClasses});
  for (int64_t i = 0; i < teacher_logits.size(); ++i) teacher_logits[i] = rng.uniform(-3.0f, 3.0f);
  Split split = split_indices(samples, 1.0f / 6.0f, 5);
  TrainConfig config;
  config.epochs = 6;
  config.batch_size = 16;
  config.loss = LossKind::kHinton;
  config.teacher_mode = TeacherMode::kCached;
  config.temperature = 4.0f;
  config.alpha = 0.1f;
  config.optimizer.kind = OptimizerKind::kAdam;
  config.augment = parse_augment_spec(options.augment);
  Rng teacher_rng(4);
  Model teacher = Model::from_layer_configs(layers_of("mlp"), Shape{12, 12, 1}, teacher_rng);
  teacher.preprocessing.mean = 0.5f;  // the batch is remapped to the teacher's preprocessing too
  if (options.consistent_teacher) config.teacher_mode = TeacherMode::kConsistent;
  TrainingRun run(model, data, split.train, split.val, config,
                  options.consistent_teacher ? TeacherSignal(&teacher) : TeacherSignal(&teacher_logits));
  const int64_t steps_per_epoch = run.total_steps() / config.epochs;
  for (int64_t i = 0; i < 2 * steps_per_epoch; ++i) run.step();
  StepAllocations result;
  const long before = allocations();
  for (int64_t i = 0; i < 2 * steps_per_epoch; ++i) run.step();
  result.allocations = allocations() - before;
  result.warm_steps = static_cast<long>(2 * steps_per_epoch);
  EXPECT_EQ(run.history().size(), 4u);  // the counted steps crossed two epoch ends
  set_thread_count(0);
  return result;
}

// The counter lives in another file, so the compiler may drop a new/delete
// pair it can see whole; a pointer stored through volatile must exist.
std::vector<int>* volatile g_escaped = nullptr;

TEST(StepAllocations, CounterSeesAllocations) {
  // The counter is live: a vector's buffer is counted (otherwise 0 proves nothing).
  const long before = allocations();
  g_escaped = new std::vector<int>(100);
  const long counted = allocations() - before;
  delete g_escaped;
  EXPECT_GE(counted, 2);
}

TEST(StepAllocations, MlpKdAdamOneThread) {
  const StepAllocations r = count_step_allocations("mlp", 1);
  EXPECT_EQ(r.warm_steps, 14);
  EXPECT_EQ(r.allocations, 0) << "over " << r.warm_steps << " warm steps";
}

TEST(StepAllocations, CnnKdAdamOneThread) {
  const StepAllocations r = count_step_allocations("cnn", 1);
  EXPECT_EQ(r.allocations, 0) << "over " << r.warm_steps << " warm steps";
}

TEST(StepAllocations, MlpKdAdamTwoThreads) {
  const StepAllocations r = count_step_allocations("mlp", 2);
  EXPECT_EQ(r.allocations, 0) << "over " << r.warm_steps << " warm steps";
}

TEST(StepAllocations, CnnKdAdamTwoThreads) {
  const StepAllocations r = count_step_allocations("cnn", 2);
  EXPECT_EQ(r.allocations, 0) << "over " << r.warm_steps << " warm steps";
}

TEST(StepAllocations, MobileNetBlockKdAdamTwoThreads) {
  const StepAllocations r = count_step_allocations("mobile", 2);
  EXPECT_EQ(r.allocations, 0) << "over " << r.warm_steps << " warm steps";
}

TEST(StepAllocations, ResidualGraphWithBatchNormKdAdamTwoThreads) {
  const StepAllocations r = count_step_allocations("residual", 2);
  EXPECT_EQ(r.allocations, 0) << "over " << r.warm_steps << " warm steps";
}

TEST(StepAllocations, MlpAugmentedKdConsistentTeacherOneThread) {
  RunOptions options;
  options.augment = "shift:2,mixup:0.2";
  options.consistent_teacher = true;
  const StepAllocations r = count_step_allocations("mlp", 1, options);
  EXPECT_EQ(r.warm_steps, 14);
  EXPECT_EQ(r.allocations, 0) << "over " << r.warm_steps << " warm steps";
}

TEST(StepAllocations, CnnAugmentedKdConsistentTeacherTwoThreads) {
  RunOptions options;
  options.augment = "shift:2,flip,rotate:10,scale:0.1,mixup:0.2,cutmix:1";
  options.consistent_teacher = true;
  const StepAllocations r = count_step_allocations("cnn", 2, options);
  EXPECT_EQ(r.allocations, 0) << "over " << r.warm_steps << " warm steps";
}

TEST(StepAllocations, MeasuringAModelAtTheSizeLimitAllocatesNoWeights) {
  // dense 4096 -> 16384 without bias: 2^26 weights, the limit. Built, they
  // would take 256 MB, and as much again for gradients and masks.
  const std::vector<nlohmann::json> at_limit{{{"type", "dense"}, {"units", 16384}, {"use_bias", false}}};
  const long long before = allocated_bytes();
  EXPECT_EQ(Model::measure(at_limit, Shape{4096}).parameters, int64_t(1) << 26);
  EXPECT_LT(allocated_bytes() - before, 64 * 1024);
  // The counter sees a weight-sized buffer (otherwise the bound proves nothing).
  Rng rng(1);
  const long long building = allocated_bytes();
  Model small = Model::from_layer_configs({{{"type", "dense"}, {"units", 64}}}, Shape{256}, rng);
  EXPECT_GE(allocated_bytes() - building, 256 * 64 * 4);
}

}  // namespace
}  // namespace distillery
