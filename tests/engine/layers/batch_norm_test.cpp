// BatchNorm: inference with moving statistics, training with batch statistics
// and the momentum update, finite-difference gradients in both modes, and the
// moving statistics left alone by optimisers and pruning.
#include "engine/layers/batch_norm.h"

#include <gtest/gtest.h>

#include <cmath>

#include "engine/gradient_check.h"
#include "engine/layers/bound_layer.h"
#include "engine/model/arch_spec.h"
#include "engine/model/model.h"
#include "engine/optim/optimizer.h"
#include "engine/prune/unstructured.h"

namespace distillery {
namespace {

using nlohmann::json;
using test::BoundLayer;
using test::check_layer_gradients;
using test::expect_layer_error;
using test::make_tensor;
using test::random_tensor;

json bn_config(double momentum = 0.9, double epsilon = 1e-3) {
  return {{"type", "batch_norm"}, {"momentum", momentum}, {"epsilon", epsilon}};
}

enum Param { kGamma, kBeta, kMovingMean, kMovingVariance };

TEST(BatchNormTest, ParamsAreGammaBetaAndUntrainableMovingStatistics) {
  BoundLayer bn(bn_config(), Shape{4, 4, 3});
  const std::vector<ParamSpec> specs = bn.layer->param_specs();
  ASSERT_EQ(specs.size(), 4u);
  const char* names[] = {"gamma", "beta", "moving_mean", "moving_variance"};
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(specs[i].name, names[i]);
    EXPECT_EQ(specs[i].shape, (Shape{3}));
    EXPECT_FALSE(specs[i].prunable);
    EXPECT_EQ(specs[i].trainable, i < 2) << names[i];
  }
  EXPECT_EQ(bn.output_shape, (Shape{4, 4, 3}));
  // Keras' initial values.
  EXPECT_EQ(bn.params[kGamma], std::vector<float>(3, 1.0f));
  EXPECT_EQ(bn.params[kBeta], std::vector<float>(3, 0.0f));
  EXPECT_EQ(bn.params[kMovingMean], std::vector<float>(3, 0.0f));
  EXPECT_EQ(bn.params[kMovingVariance], std::vector<float>(3, 1.0f));
}

TEST(BatchNormTest, WithoutCenterOrScaleOnlyTheStatisticsRemain) {
  BoundLayer bn({{"type", "batch_norm"}, {"center", false}, {"scale", false}}, Shape{5});
  const std::vector<ParamSpec> specs = bn.layer->param_specs();
  ASSERT_EQ(specs.size(), 2u);
  EXPECT_EQ(specs[0].name, "moving_mean");
  bn.params[0] = {1, 2, 3, 4, 5};
  bn.params[1] = {4, 4, 4, 4, 4};
  const Tensor out = bn.forward(make_tensor(Shape{1, 5}, {3, 2, 1, 0, -1}));
  for (int c = 0; c < 5; ++c)
    EXPECT_NEAR(out[c], (static_cast<float>(3 - c) - static_cast<float>(c + 1)) / std::sqrt(4.001f), 1e-6f);
}

TEST(BatchNormTest, InferenceUsesTheMovingStatisticsPerChannel) {
  BoundLayer bn(bn_config(0.9, 0.01), Shape{1, 2, 2});
  bn.params[kGamma] = {2.0f, 0.5f};
  bn.params[kBeta] = {1.0f, -1.0f};
  bn.params[kMovingMean] = {0.5f, -2.0f};
  bn.params[kMovingVariance] = {0.99f, 3.99f};  // + epsilon: 1 and 4
  // One sample 1x2 positions, 2 channels: [[x00 c0, x00 c1], [x01 c0, x01 c1]].
  const Tensor out = bn.forward(make_tensor(Shape{1, 1, 2, 2}, {1.5f, 0.0f, -0.5f, 2.0f}), false);
  EXPECT_NEAR(out[0], (1.5f - 0.5f) / 1.0f * 2.0f + 1.0f, 1e-6f);
  EXPECT_NEAR(out[1], (0.0f + 2.0f) / 2.0f * 0.5f - 1.0f, 1e-6f);
  EXPECT_NEAR(out[2], (-0.5f - 0.5f) / 1.0f * 2.0f + 1.0f, 1e-6f);
  EXPECT_NEAR(out[3], (2.0f + 2.0f) / 2.0f * 0.5f - 1.0f, 1e-6f);
  // Inference changes nothing.
  EXPECT_EQ(bn.params[kMovingMean], (std::vector<float>{0.5f, -2.0f}));
}

TEST(BatchNormTest, TrainingNormalisesWithBatchStatisticsAndUpdatesTheMovingOnes) {
  BoundLayer bn(bn_config(0.75, 1e-5), Shape{3, 3, 2});
  const Tensor input = random_tensor(Shape{4, 3, 3, 2}, 11);
  const Tensor out = bn.forward(input, true);
  // Each channel of the output has mean 0 and variance ~1 over batch and positions.
  for (int c = 0; c < 2; ++c) {
    double in_sum = 0, in_sq = 0, sum = 0, sq = 0;
    const int rows = 4 * 9;
    for (int r = 0; r < rows; ++r) {
      in_sum += input[r * 2 + c];
      sum += out[r * 2 + c];
      sq += out[r * 2 + c] * out[r * 2 + c];
    }
    const double mean = in_sum / rows;
    for (int r = 0; r < rows; ++r) in_sq += (input[r * 2 + c] - mean) * (input[r * 2 + c] - mean);
    const double variance = in_sq / rows;  // biased, as TF.js' moments()
    EXPECT_NEAR(sum / rows, 0.0, 1e-5);
    EXPECT_NEAR(sq / rows, variance / (variance + 1e-5), 1e-4);
    EXPECT_NEAR(bn.params[kMovingMean][c], 0.25 * mean, 1e-6);
    EXPECT_NEAR(bn.params[kMovingVariance][c], 0.75 + 0.25 * variance, 1e-6);
  }
}

TEST(BatchNormTest, TrainingGradientsMatchFiniteDifferences) {
  test::GradientCheckOptions options;
  options.batch = 3;
  BatchNorm image(bn_config());
  EXPECT_TRUE(check_layer_gradients(image, Shape{3, 3, 2}, options));
  options.batch = 4;
  BatchNorm flat(bn_config());
  EXPECT_TRUE(check_layer_gradients(flat, Shape{5}, options));
}

TEST(BatchNormTest, InferenceGradientsMatchFiniteDifferencesIncludingTheStatistics) {
  // The generic checker draws variances below zero; here they stay positive.
  BoundLayer bn(bn_config(0.9, 0.01), Shape{2, 3});
  Rng rng(5);
  for (auto& p : bn.params)
    for (float& v : p) v = rng.uniform(-1.0f, 1.0f);
  for (float& v : bn.params[kMovingVariance]) v = std::abs(v) + 0.3f;
  Tensor input = random_tensor(Shape{2, 2, 3}, 9);
  const Tensor upstream = random_tensor(Shape{2, 2, 3}, 10);
  auto loss = [&] {
    const Tensor out = bn.forward(input, false);
    double sum = 0;
    for (int64_t i = 0; i < out.size(); ++i) sum += static_cast<double>(out[i]) * upstream[i];
    return sum;
  };
  const Tensor out = bn.forward(input, false);
  for (auto& g : bn.grads) std::fill(g.begin(), g.end(), 0.0f);
  Tensor grad_input;
  bn.layer->backward(input, out, upstream, grad_input);
  const float h = 1e-3f;
  auto numeric = [&](float& v) {
    const float original = v;
    v = original + h;
    const double plus = loss();
    v = original - h;
    const double minus = loss();
    v = original;
    return (plus - minus) / (2.0 * h);
  };
  for (int64_t i = 0; i < input.size(); ++i) EXPECT_NEAR(grad_input[i], numeric(input[i]), 2e-3) << "input " << i;
  for (size_t p = 0; p < bn.params.size(); ++p)
    for (size_t i = 0; i < bn.params[p].size(); ++i)
      EXPECT_NEAR(bn.grads[p][i], numeric(bn.params[p][i]), 2e-3) << "param " << p << "[" << i << "]";
}

TEST(BatchNormTest, OptimisersAndPruningLeaveTheMovingStatisticsAlone) {
  Rng rng(3);
  Model model = Model::from_layer_configs({{{"type", "dense"}, {"units", 6}}, bn_config(), {{"type", "relu"}},
                                           {{"type", "dense"}, {"units", 3}}},
                                          Shape{4}, rng);
  const std::vector<int> refs = model.param_refs_of_layer(1);
  ASSERT_EQ(refs.size(), 4u);
  ParamStore& p = model.params();
  const ParamRef mean = p.refs[refs[2]], variance = p.refs[refs[3]], gamma = p.refs[refs[0]];
  for (const char* kind : {"sgd", "adam", "adamw"}) {
    OptimizerConfig config;
    config.kind = optimizer_from_name(kind);
    config.weight_decay = 0.1f;
    auto optimizer = make_optimizer(config);
    const std::vector<float> before = p.values;
    std::fill(p.grads.begin(), p.grads.end(), 0.5f);  // even with gradients present
    optimizer->step(p, 0.1f);
    for (int64_t k = 0; k < mean.size(); ++k) {
      EXPECT_EQ(p.values[mean.offset + k], before[mean.offset + k]) << kind;
      EXPECT_EQ(p.values[variance.offset + k], before[variance.offset + k]) << kind;
      EXPECT_NE(p.values[gamma.offset + k], before[gamma.offset + k]) << kind;
    }
  }
  prune_global_magnitude(model, 0.9f);
  for (int r : refs)
    for (int64_t k = 0; k < p.refs[r].size(); ++k) EXPECT_EQ(p.masks[p.refs[r].offset + k], 1.0f);
}

TEST(BatchNormTest, TheBnTokenIsABatchNormWithKerasDefaultsOnImagesAndVectors) {
  const std::vector<json> layers = parse_arch_spec("conv:4:3:linear,bn,relu,dense:8:linear,bn", 3);
  std::vector<std::string> types;
  for (const json& l : layers) types.push_back(l["type"]);
  EXPECT_EQ(types, (std::vector<std::string>{"conv2d", "batch_norm", "relu", "flatten", "dense", "batch_norm", "dense"}));
  Rng rng(1);
  const Model model = Model::from_layer_configs(layers, Shape{6, 6, 2}, rng);
  const auto& bn = dynamic_cast<const BatchNorm&>(model.layer(1));
  EXPECT_FLOAT_EQ(bn.momentum(), 0.99f);
  EXPECT_FLOAT_EQ(bn.epsilon(), 1e-3f);
  EXPECT_EQ(bn.channels(), 4);
  EXPECT_EQ(dynamic_cast<const BatchNorm&>(model.layer(5)).channels(), 8);
  EXPECT_EQ(describe_arch(model), "conv:4:3:linear,bn,relu,dense:8:linear,bn");
  // Other settings have no token: described by the type name, which the parser refuses.
  EXPECT_EQ(arch_token_for({bn_config(0.9)}), "batch_norm");
  try {
    parse_arch_spec("bn:0.9", 3);
    ADD_FAILURE() << "bn:0.9 was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'bn:0.9' at position 1"), std::string::npos) << e.what();
  }
}

TEST(BatchNormTest, ConfigRoundTripsAndBadSettingsAreErrors) {
  BatchNorm bn({{"type", "batch_norm"}, {"momentum", 0.5}, {"epsilon", 0.01}, {"center", false}});
  const json config = bn.config();
  EXPECT_EQ(config["type"], "batch_norm");
  EXPECT_FLOAT_EQ(config["momentum"].get<float>(), 0.5f);
  EXPECT_FLOAT_EQ(config["epsilon"].get<float>(), 0.01f);
  EXPECT_EQ(config["center"], false);
  EXPECT_EQ(config["scale"], true);
  expect_layer_error({{"type", "batch_norm"}, {"momentum", 1.5}}, Shape{3}, "momentum must be in [0, 1]");
  expect_layer_error({{"type", "batch_norm"}, {"epsilon", 0}}, Shape{3}, "epsilon must be positive");
  expect_layer_error({{"type", "batch_norm"}, {"center", "yes"}}, Shape{3}, "\"center\" has the wrong type");
}

}  // namespace
}  // namespace distillery
