// Optimisers: one step against hand-computed values, convergence on a
// quadratic, masks keeping pruned weights (and their moments) at zero.
#include <gtest/gtest.h>

#include <cmath>

#include "engine/core/error.h"
#include "engine/optim/optimizer.h"

namespace distillery {
namespace {

ParamStore make_store(std::vector<float> values) {
  ParamStore store;
  store.add(0, ParamSpec{"w", Shape{static_cast<int>(values.size())}, true});
  store.finalize();
  store.values = std::move(values);
  return store;
}

TEST(Optimizer, SgdMomentumStep) {
  OptimizerConfig config;
  config.kind = OptimizerKind::kSgd;
  config.momentum = 0.5f;
  auto opt = make_optimizer(config);
  ParamStore p = make_store({1.0f});
  p.grads = {2.0f};
  opt->step(p, 0.1f);  // v = 2, w = 1 - 0.2
  EXPECT_NEAR(p.values[0], 0.8f, 1e-6);
  opt->step(p, 0.1f);  // v = 0.5*2 + 2 = 3, w = 0.8 - 0.3
  EXPECT_NEAR(p.values[0], 0.5f, 1e-6);
  EXPECT_EQ(opt->steps(), 2);
}

TEST(Optimizer, AdamFirstStepMovesByLearningRate) {
  // With bias correction the first Adam step is lr * sign(g) (up to epsilon).
  auto opt = make_optimizer(OptimizerConfig{});
  ParamStore p = make_store({1.0f, -1.0f});
  p.grads = {0.3f, -50.0f};
  opt->step(p, 0.01f);
  EXPECT_NEAR(p.values[0], 0.99f, 1e-5);
  EXPECT_NEAR(p.values[1], -0.99f, 1e-5);
}

TEST(Optimizer, AdamWDecaysWeightsWithoutGradient) {
  OptimizerConfig config;
  config.kind = OptimizerKind::kAdamW;
  config.weight_decay = 0.1f;
  auto opt = make_optimizer(config);
  ParamStore p = make_store({2.0f});
  p.grads = {0.0f};
  opt->step(p, 0.5f);
  EXPECT_NEAR(p.values[0], 2.0f - 0.5f * 0.1f * 2.0f, 1e-5);
}

TEST(Optimizer, EveryKindMinimisesAQuadratic) {
  for (const char* kind : {"sgd", "adam", "adamw"}) {
    OptimizerConfig config;
    config.kind = optimizer_from_name(kind);
    auto opt = make_optimizer(config);
    ParamStore p = make_store({5.0f, -3.0f});
    for (int i = 0; i < 2000; ++i) {
      for (int j = 0; j < 2; ++j) p.grads[j] = 2.0f * (p.values[j] - 1.0f);  // d/dw (w-1)^2
      opt->step(p, 0.01f);
    }
    EXPECT_NEAR(p.values[0], 1.0f, 0.05f) << kind;
    EXPECT_NEAR(p.values[1], 1.0f, 0.05f) << kind;
  }
}

TEST(Optimizer, MaskedWeightsAndMomentsStayZeroThroughManySteps) {
  for (const char* kind : {"sgd", "adam", "adamw"}) {
    OptimizerConfig config;
    config.kind = optimizer_from_name(kind);
    auto opt = make_optimizer(config);
    ParamStore p = make_store({0.5f, 0.7f, -0.2f});
    p.masks = {1.0f, 0.0f, 1.0f};
    for (int i = 0; i < 500; ++i) {
      p.grads = {0.1f, -3.0f, 0.2f};  // a large gradient pushes on the pruned weight
      opt->step(p, 0.05f);
      ASSERT_EQ(p.values[1], 0.0f) << kind << " step " << i;
    }
    for (auto* buffer : opt->state()) EXPECT_EQ((*buffer)[1], 0.0f) << kind;
    EXPECT_NE(p.values[0], 0.5f);
  }
}

// A weight whose gradient stops (a dead unit) must not leave its moments in
// the subnormal range, where x86 arithmetic is many times slower and
// WebAssembly cannot flush to zero: they reach exactly zero instead.
TEST(Optimizer, MomentsOfAStoppedGradientNeverBecomeSubnormal) {
  for (const char* kind : {"sgd", "adam", "adamw"}) {
    OptimizerConfig config;
    config.kind = optimizer_from_name(kind);
    config.momentum = 0.9f;
    auto opt = make_optimizer(config);
    ParamStore p = make_store({0.5f, -0.5f});
    p.grads = {1.0f, -1e-3f};
    opt->step(p, 1e-3f);
    p.grads = {0.0f, 0.0f};
    bool reached_zero = false;
    for (int step = 0; step < 3000; ++step) {
      opt->step(p, 1e-3f);
      for (std::vector<float>* state : opt->state())
        for (float x : *state) ASSERT_NE(std::fpclassify(x), FP_SUBNORMAL) << kind << " after " << step << " steps";
      reached_zero = reached_zero || (*opt->state()[0])[0] == 0.0f;
    }
    EXPECT_TRUE(reached_zero) << kind << ": the first moment decays to zero";
    EXPECT_TRUE(std::isfinite(p.values[0]) && std::isfinite(p.values[1])) << kind;
  }
}

TEST(Optimizer, UnknownKindIsAClearError) {
  try {
    optimizer_from_name("rmsprop");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("rmsprop"), std::string::npos);
  }
}

TEST(Schedule, ConstantAndCosine) {
  EXPECT_FLOAT_EQ(scheduled_learning_rate(LrSchedule::kConstant, 0.1f, 50, 100), 0.1f);
  EXPECT_FLOAT_EQ(scheduled_learning_rate(LrSchedule::kCosine, 0.1f, 0, 100), 0.1f);
  EXPECT_NEAR(scheduled_learning_rate(LrSchedule::kCosine, 0.1f, 50, 100), 0.05f, 1e-6);
  EXPECT_NEAR(scheduled_learning_rate(LrSchedule::kCosine, 0.1f, 100, 100), 0.0f, 1e-6);
  EXPECT_NEAR(scheduled_learning_rate(LrSchedule::kConstant, 0.1f, 4, 100, 10), 0.05f, 1e-6);  // warm-up
  EXPECT_THROW(lr_schedule_from_name("step"), Error);
}

}  // namespace
}  // namespace distillery
