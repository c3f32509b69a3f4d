// Checks the losses against hand-computed values and finite differences.
#include <gtest/gtest.h>

#include <cmath>

#include "engine/losses/losses.h"

namespace distillery {
namespace {

Tensor make_logits(std::vector<float> values, int rows) {
  Tensor t(Shape{rows, static_cast<int>(values.size()) / rows});
  for (size_t i = 0; i < values.size(); ++i) t[i] = values[i];
  return t;
}

TEST(Losses, SoftmaxRowsSumToOneAndTemperatureFlattens) {
  Tensor logits = make_logits({1, 2, 3, -1, 0, 5}, 2);
  Tensor p1, p4;
  softmax(logits, 1.0f, p1);
  softmax(logits, 4.0f, p4);
  for (int r = 0; r < 2; ++r) {
    EXPECT_NEAR(p1[r * 3] + p1[r * 3 + 1] + p1[r * 3 + 2], 1.0f, 1e-6);
    // Higher temperature: the largest probability shrinks.
    EXPECT_LT(*std::max_element(&p4[r * 3], &p4[r * 3] + 3), *std::max_element(&p1[r * 3], &p1[r * 3] + 3));
  }
  EXPECT_NEAR(p1[2], std::exp(3.0) / (std::exp(1.0) + std::exp(2.0) + std::exp(3.0)), 1e-6);
}

TEST(Losses, CrossEntropyMatchesHandComputedValue) {
  Tensor logits = make_logits({1, 2, 3}, 1);
  int label = 0;
  const double expected = -std::log(std::exp(1.0) / (std::exp(1.0) + std::exp(2.0) + std::exp(3.0)));
  EXPECT_NEAR(cross_entropy_loss(logits, &label, nullptr), expected, 1e-5);
}

TEST(Losses, DistillationWithTemperatureOneAndAlphaOneEqualsCrossEntropy) {
  Tensor student = make_logits({0.3f, -1.2f, 2.0f, 0.5f, 0.1f, -0.4f}, 2);
  Tensor teacher = make_logits({3.0f, 0.0f, -1.0f, 0.2f, 2.2f, 0.0f}, 2);
  int labels[2] = {2, 0};
  Tensor g_ce, g_kd;
  const float ce = cross_entropy_loss(student, labels, &g_ce);
  const float kd = distillation_loss(student, teacher, labels, 1.0f, 1.0f, &g_kd);
  EXPECT_NEAR(ce, kd, 1e-6);
  for (int i = 0; i < 6; ++i) EXPECT_NEAR(g_ce[i], g_kd[i], 1e-7);
}

TEST(Losses, DistillationSoftTermIsTemperatureSquaredTimesKl) {
  Tensor student = make_logits({0.3f, -1.2f, 2.0f}, 1);
  Tensor teacher = make_logits({3.0f, 0.0f, -1.0f}, 1);
  int label = 1;
  const float t = 4.0f;
  // Hand-computed KL(q || p) at temperature T.
  double zs = 0, zt = 0;
  for (int j = 0; j < 3; ++j) {
    zs += std::exp(student[j] / t);
    zt += std::exp(teacher[j] / t);
  }
  double kl = 0;
  for (int j = 0; j < 3; ++j) {
    const double q = std::exp(teacher[j] / t) / zt, p = std::exp(student[j] / t) / zs;
    kl += q * std::log(q / p);
  }
  EXPECT_NEAR(distillation_loss(student, teacher, &label, t, 0.0f, nullptr), t * t * kl, 1e-5);
  // Mixing: alpha * CE + (1 - alpha) * T^2 KL.
  const float ce = cross_entropy_loss(student, &label, nullptr);
  EXPECT_NEAR(distillation_loss(student, teacher, &label, t, 0.25f, nullptr), 0.25 * ce + 0.75 * t * t * kl, 1e-5);
  // A student equal to its teacher pays nothing for the soft term.
  EXPECT_NEAR(distillation_loss(teacher, teacher, &label, t, 0.0f, nullptr), 0.0, 1e-6);
}

// Central differences of a loss with respect to the student logits.
template <typename LossFn>
void expect_gradient_matches(Tensor student, LossFn loss) {
  Tensor grad;
  loss(student, &grad);
  for (int64_t i = 0; i < student.size(); ++i) {
    const float saved = student[i];
    const float eps = 1e-2f;
    student[i] = saved + eps;
    const double up = loss(student, nullptr);
    student[i] = saved - eps;
    const double down = loss(student, nullptr);
    student[i] = saved;
    EXPECT_NEAR(grad[i], (up - down) / (2 * eps), 2e-3) << "logit " << i;
  }
}

TEST(Losses, DistillationGradientMatchesFiniteDifferences) {
  Tensor student = make_logits({0.3f, -1.2f, 2.0f, 0.5f, 0.1f, -0.4f, 1.0f, 1.0f}, 2);
  Tensor teacher = make_logits({3.0f, 0.0f, -1.0f, 0.2f, 2.2f, 0.0f, 0.4f, -0.3f}, 2);
  int labels[2] = {3, 1};
  for (float t : {1.0f, 2.0f, 4.0f})
    for (float alpha : {0.0f, 0.1f, 0.5f, 1.0f})
      expect_gradient_matches(student, [&](const Tensor& s, Tensor* g) {
        return distillation_loss(s, teacher, labels, t, alpha, g);
      });
}

TEST(Losses, LogitMseValueAndGradient) {
  Tensor student = make_logits({1, 2, 3, 4}, 2);
  Tensor teacher = make_logits({1, 0, 3, 5}, 2);
  EXPECT_NEAR(logit_mse_loss(student, teacher, nullptr), (4.0 + 1.0) / 4.0, 1e-6);
  expect_gradient_matches(student, [&](const Tensor& s, Tensor* g) { return logit_mse_loss(s, teacher, g); });
}

TEST(Losses, LargeLogitsStayFinite) {
  Tensor student = make_logits({1000, -1000, 0}, 1);
  Tensor teacher = make_logits({-1000, 1000, 0}, 1);
  int label = 1;
  Tensor grad;
  const float loss = distillation_loss(student, teacher, &label, 4.0f, 0.5f, &grad);
  EXPECT_TRUE(std::isfinite(loss));
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(std::isfinite(grad[i]));
}

}  // namespace
}  // namespace distillery
