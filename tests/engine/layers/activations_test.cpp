// relu, leaky_relu, sigmoid, tanh: values, gradients, config, errors.
#include "engine/layers/activations.h"

#include <gtest/gtest.h>

#include <cmath>

#include "engine/gradient_check.h"
#include "engine/layers/bound_layer.h"

namespace distillery {
namespace {

using nlohmann::json;
using test::BoundLayer;
using test::check_layer_gradients;
using test::expect_layer_error;
using test::GradientCheckOptions;
using test::make_tensor;

const std::vector<float> kInputs = {-2.0f, -0.5f, 0.0f, 0.25f, 3.0f};

std::vector<float> run(const json& config) {
  BoundLayer layer(config, Shape{5});
  return layer.forward(make_tensor(Shape{1, 5}, kInputs)).values();
}

TEST(ActivationTest, ForwardValues) {
  EXPECT_EQ(run(json{{"type", "relu"}}), (std::vector<float>{0, 0, 0, 0.25f, 3}));
  EXPECT_EQ(run(json{{"type", "leaky_relu"}}), (std::vector<float>{-0.6f, -0.15f, 0, 0.25f, 3}));
  EXPECT_EQ(run(json{{"type", "leaky_relu"}, {"alpha", 0.1}}), (std::vector<float>{-0.2f, -0.05f, 0, 0.25f, 3}));
  const std::vector<float> sigmoid = run(json{{"type", "sigmoid"}});
  const std::vector<float> tanh = run(json{{"type", "tanh"}});
  for (size_t i = 0; i < kInputs.size(); ++i) {
    EXPECT_NEAR(sigmoid[i], 1.0 / (1.0 + std::exp(-static_cast<double>(kInputs[i]))), 1e-6);
    EXPECT_NEAR(tanh[i], std::tanh(static_cast<double>(kInputs[i])), 1e-6);
  }
  EXPECT_FLOAT_EQ(sigmoid[2], 0.5f);
}

TEST(ActivationTest, GradientsMatchFiniteDifferences) {
  GradientCheckOptions away_from_kink;
  away_from_kink.min_input_magnitude = 0.1f;
  for (const json& config : {json{{"type", "relu"}}, json{{"type", "leaky_relu"}, {"alpha", 0.2}},
                             json{{"type", "sigmoid"}}, json{{"type", "tanh"}}}) {
    SCOPED_TRACE(config.dump());
    LayerPtr image_layer = LayerRegistry::instance().create(config);
    EXPECT_TRUE(check_layer_gradients(*image_layer, Shape{3, 4, 2}, away_from_kink));
    LayerPtr flat_layer = LayerRegistry::instance().create(config);
    EXPECT_TRUE(check_layer_gradients(*flat_layer, Shape{9}, away_from_kink));
  }
}

TEST(ActivationTest, KeepShapeAndConfig) {
  ReLU relu;
  EXPECT_EQ(relu.build(Shape{4, 4, 3}), (Shape{4, 4, 3}));
  EXPECT_EQ(relu.config(), (json{{"type", "relu"}}));
  EXPECT_FLOAT_EQ(LeakyReLU(json{{"type", "leaky_relu"}}).alpha(), 0.3f);  // Keras' default
  EXPECT_FLOAT_EQ(LeakyReLU(json{{"type", "leaky_relu"}, {"negative_slope", 0.01}}).alpha(), 0.01f);
  EXPECT_EQ(LeakyReLU(0.2f).config(), (json{{"type", "leaky_relu"}, {"alpha", 0.2f}}));
}

TEST(ActivationTest, Errors) {
  expect_layer_error(json{{"type", "tanh"}}, Shape{}, "tanh expects a non-empty input but got []");
  expect_layer_error(json{{"type", "leaky_relu"}, {"alpha", "big"}}, Shape{3}, "\"alpha\" has the wrong type");
}

}  // namespace
}  // namespace distillery
