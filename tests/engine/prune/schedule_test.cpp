// Sparsity schedules: the polynomial decay against its formula at given steps,
// when it updates the masks, and the iterative geometric ramp.
#include <gtest/gtest.h>

#include <cmath>

#include "engine/core/error.h"
#include "engine/prune/schedule.h"

namespace distillery {
namespace {

// s_t = s_f + (s_i - s_f) * (1 - (t - t0) / (n * dt))^3, written out independently.
double formula(double si, double sf, double t, double t0, double span) {
  return sf + (si - sf) * std::pow(1.0 - (t - t0) / span, 3.0);
}

TEST(PolynomialDecay, MatchesTheFormulaInsideTheRamp) {
  PolynomialDecay d;
  d.initial_sparsity = 0.1f;
  d.final_sparsity = 0.9f;
  d.begin_step = 200;
  d.end_step = 1200;
  d.frequency = 100;
  for (int64_t t : {200, 300, 450, 700, 999, 1100, 1200})
    EXPECT_NEAR(d.sparsity_at(t), formula(0.1, 0.9, t, 200, 1000), 1e-6) << "step " << t;
  // Spot values worked out by hand: halfway, 1 - 0.5^3 = 0.875 of the way.
  EXPECT_NEAR(d.sparsity_at(700), 0.1 + 0.8 * 0.875, 1e-6);
  EXPECT_NEAR(d.sparsity_at(1200), 0.9, 1e-7);
  // Held outside the ramp.
  EXPECT_FLOAT_EQ(d.sparsity_at(0), 0.1f);
  EXPECT_FLOAT_EQ(d.sparsity_at(5000), 0.9f);
  // Never decreasing.
  for (int64_t t = 1; t < 1400; ++t) EXPECT_GE(d.sparsity_at(t), d.sparsity_at(t - 1));
}

TEST(PolynomialDecay, PrunesEveryFrequencyStepsAndAtTheEnd) {
  PolynomialDecay d;
  d.begin_step = 10;
  d.end_step = 65;
  d.frequency = 20;
  std::vector<int64_t> steps;
  for (int64_t t = 0; t < 100; ++t)
    if (d.prunes_at(t)) steps.push_back(t);
  EXPECT_EQ(steps, (std::vector<int64_t>{10, 30, 50, 65}));
}

TEST(PolynomialDecay, RejectsBadSettings) {
  PolynomialDecay d;
  d.end_step = 0;
  EXPECT_THROW(d.validate(), Error);
  d.end_step = 10;
  d.frequency = 0;
  EXPECT_THROW(d.validate(), Error);
  d.frequency = 1;
  d.final_sparsity = 1.0f;
  EXPECT_THROW(d.validate(), Error);
  d.final_sparsity = 0.5f;
  EXPECT_NO_THROW(d.validate());
}

TEST(IterativeSchedule, GeometricRampRemovesTheSameShareOfSurvivorsEachRound) {
  const float s = 0.875f;  // keep 1/8 = (1/2)^3
  EXPECT_NEAR(iterative_sparsity(s, 1, 3), 0.5, 1e-6);
  EXPECT_NEAR(iterative_sparsity(s, 2, 3), 0.75, 1e-6);
  EXPECT_FLOAT_EQ(iterative_sparsity(s, 3, 3), s);
  EXPECT_FLOAT_EQ(iterative_sparsity(0.3f, 1, 1), 0.3f);
  EXPECT_THROW(iterative_sparsity(0.5f, 1, 0), Error);
}

}  // namespace
}  // namespace distillery
