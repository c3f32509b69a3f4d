// Dropout: identity in inference, inverted dropout in training with the
// model's Rng (same seed, same mask), gradients through a fixed mask, errors.
#include "engine/layers/dropout.h"

#include <gtest/gtest.h>

#include <cmath>

#include "engine/gradient_check.h"
#include "engine/layers/bound_layer.h"

namespace distillery {
namespace {

using nlohmann::json;
using test::check_layer_gradients;
using test::expect_layer_error;
using test::random_tensor;

TEST(DropoutTest, IsTheIdentityInInference) {
  Dropout dropout(0.5f);
  dropout.build(Shape{10});
  Tensor input = random_tensor(Shape{4, 10}, 1), output, grad;
  dropout.forward(input, output, /*training=*/false);
  EXPECT_EQ(output.values(), input.values());
  dropout.backward(input, output, input, grad);
  EXPECT_EQ(grad.values(), input.values());
}

TEST(DropoutTest, DropsAboutRateAndScalesTheRest) {
  Dropout dropout(0.3f);
  dropout.build(Shape{100, 100});
  Rng rng(9);
  dropout.set_rng(&rng);
  Tensor input(Shape{2, 100, 100}, 1.0f), output;
  dropout.forward(input, output, /*training=*/true);
  int64_t zeros = 0;
  for (float v : output.values()) {
    if (v == 0.0f)
      ++zeros;
    else
      ASSERT_FLOAT_EQ(v, 1.0f / 0.7f);
  }
  const double fraction = static_cast<double>(zeros) / output.size();
  EXPECT_NEAR(fraction, 0.3, 0.015);  // 20000 draws: the standard deviation is 0.0032
}

TEST(DropoutTest, SameSeedSameMaskAndBackwardUsesIt) {
  Dropout a(0.5f), b(0.5f);
  a.build(Shape{64});
  b.build(Shape{64});
  Rng rng_a(21), rng_b(21);
  a.set_rng(&rng_a);
  b.set_rng(&rng_b);
  Tensor input = random_tensor(Shape{3, 64}, 2), out_a, out_b, out_next;
  a.forward(input, out_a, true);
  b.forward(input, out_b, true);
  EXPECT_EQ(out_a.values(), out_b.values());
  a.forward(input, out_next, true);
  EXPECT_NE(out_a.values(), out_next.values()) << "the rng moves on: the next step gets another mask";

  // backward: the gradient passes exactly where the last forward kept the value.
  Tensor upstream(out_next.shape(), 1.0f), grad;
  a.backward(input, out_next, upstream, grad);
  for (int64_t i = 0; i < grad.size(); ++i) {
    if (out_next[i] == 0.0f)
      EXPECT_EQ(grad[i], 0.0f);
    else
      EXPECT_FLOAT_EQ(grad[i], 2.0f);
  }
}

TEST(DropoutTest, GradientsMatchFiniteDifferencesWithAFixedMask) {
  Dropout dropout(0.4f);
  EXPECT_TRUE(check_layer_gradients(dropout, Shape{4, 3, 2}));
  Dropout inference(0.4f);
  test::GradientCheckOptions options;
  options.training = false;
  EXPECT_TRUE(check_layer_gradients(inference, Shape{5}, options));
}

TEST(DropoutTest, ConfigAndErrors) {
  EXPECT_EQ(Dropout(json{{"type", "dropout"}, {"rate", 0.25}}).config(), (json{{"type", "dropout"}, {"rate", 0.25f}}));
  expect_layer_error(json{{"type", "dropout"}, {"rate", 1.0}}, Shape{4}, "dropout: \"rate\" must be in [0, 1)");
  expect_layer_error(json{{"type", "dropout"}, {"rate", -0.1}}, Shape{4}, "dropout: \"rate\" must be in [0, 1)");
  expect_layer_error(json{{"type", "dropout"}}, Shape{4}, "layer 'dropout' needs \"rate\"");
  expect_layer_error(json{{"type", "dropout"}, {"rate", "half"}}, Shape{4}, "\"rate\" has the wrong type");
}

}  // namespace
}  // namespace distillery
