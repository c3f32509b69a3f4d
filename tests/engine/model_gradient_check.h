#pragma once
// Whole-model gradients against finite differences: the gradient backward()
// gives for the cross-entropy loss of one batch, against the central
// difference (L(w + eps) - L(w - eps)) / (2 eps) of every `stride`-th weight.
// backward() runs `passes` times after zeroing, so a model that keeps sums
// from an earlier step shows. Returns how many weights were checked.
//
//   EXPECT_EQ(expect_model_gradients_match(model, x, labels), model.parameter_count());
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "engine/losses/losses.h"
#include "engine/model/model.h"

namespace distillery {
namespace test {

inline int expect_model_gradients_match(Model& m, const Tensor& x, const int* labels, size_t stride = 1,
                                        int passes = 1) {
  auto loss_at = [&]() { return static_cast<double>(cross_entropy_loss(m.forward(x, false), labels, nullptr)); };
  Tensor grad;
  for (int pass = 0; pass < passes; ++pass) {
    cross_entropy_loss(m.forward(x, false), labels, &grad);
    m.params().zero_grads();
    m.backward(grad);
  }
  const std::vector<float> analytic = m.params().grads;
  std::vector<float>& values = m.params().values;
  int checked = 0;
  for (size_t i = 0; i < values.size(); i += stride) {
    const float saved = values[i];
    const float eps = 3e-3f;
    values[i] = saved + eps;
    const double up = loss_at();
    values[i] = saved - eps;
    const double down = loss_at();
    values[i] = saved;
    const double numeric = (up - down) / (2.0 * eps);
    EXPECT_NEAR(analytic[i], numeric, 2e-3 + 2e-2 * std::fabs(numeric)) << "parameter " << i;
    ++checked;
  }
  return checked;
}

}  // namespace test
}  // namespace distillery
