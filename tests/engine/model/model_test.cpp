// Model: whole-network gradients against finite differences, clone, counts,
// and clear errors when layers do not fit.
#include <gtest/gtest.h>

#include <cmath>

#include "engine/core/error.h"
#include "engine/data/test_util.h"
#include "engine/losses/losses.h"
#include "engine/model/model.h"
#include "engine/model_gradient_check.h"

namespace distillery {
namespace {

const std::vector<nlohmann::json>& cnn_layers() {
  static const std::vector<nlohmann::json> layers{
      {{"type", "conv2d"}, {"filters", 3}, {"kernel_size", 3}, {"padding", "same"}},
      {{"type", "tanh"}},
      {{"type", "maxpool2d"}, {"pool_size", 2}},
      {{"type", "flatten"}},
      {{"type", "dense"}, {"units", 5}},
      {{"type", "sigmoid"}},
      {{"type", "dense"}, {"units", 4}},
  };
  return layers;
}

Model make_cnn(uint64_t seed) {
  Rng rng(seed);
  return Model::from_layer_configs(cnn_layers(), Shape{6, 6, 2}, rng);
}

Tensor random_input(const Model& m, int batch, uint64_t seed) {
  Tensor x(m.input_shape().with_batch(batch));
  Rng rng(seed);
  // A ladder of distinct values keeps max pooling off its ties.
  for (int64_t i = 0; i < x.size(); ++i) x[i] = rng.uniform(-1.0f, 1.0f) + 0.001f * static_cast<float>(i % 97);
  return x;
}

TEST(Model, CountsParametersOfEveryLayer) {
  Model m = make_cnn(1);
  // conv 3*3*2*3 + 3, dense 27*5 + 5, dense 5*4 + 4
  EXPECT_EQ(m.parameter_count(), 54 + 3 + 135 + 5 + 20 + 4);
  EXPECT_EQ(m.num_outputs(), 4);
  EXPECT_EQ(m.param_refs_of_layer(0).size(), 2u);
  EXPECT_TRUE(m.param_refs_of_layer(1).empty());
  // Measured without building, the same numbers.
  const Model::Size size = Model::measure(cnn_layers(), Shape{6, 6, 2});
  EXPECT_EQ(size.parameters, m.parameter_count());
  EXPECT_EQ(size.flops_per_sample, m.flops_per_sample());
  EXPECT_GT(size.flops_per_sample, 0);
  EXPECT_EQ(size.layers, m.num_layers());
  const std::vector<nlohmann::json> with_batch_norm{{{"type", "flatten"}},
                                                    {{"type", "dense"}, {"units", 7}, {"use_bias", false}},
                                                    {{"type", "batch_norm"}},
                                                    {{"type", "dense"}, {"units", 2}}};
  Rng rng(1);
  EXPECT_EQ(Model::measure(with_batch_norm, Shape{3, 3, 1}).parameters,
            Model::from_layer_configs(with_batch_norm, Shape{3, 3, 1}, rng).parameter_count());
}

TEST(Model, BackwardMatchesFiniteDifferencesOfTheLoss) {
  Model m = make_cnn(2);
  const Tensor x = random_input(m, 3, 3);
  const int labels[3] = {0, 3, 1};
  EXPECT_GT(test::expect_model_gradients_match(m, x, labels, 3), 70);
}

TEST(Model, CloneIsDeepAndIdentical) {
  Model m = make_cnn(4);
  m.class_names = {"a", "b", "c", "d"};
  m.params().masks[0] = 0.0f;
  m.params().apply_masks();
  Model copy = m.clone();
  const Tensor x = random_input(m, 2, 5);
  const Tensor a = m.predict_logits(x);
  const Tensor b = copy.predict_logits(x);
  EXPECT_EQ(a.values(), b.values());
  EXPECT_EQ(copy.class_names, m.class_names);
  EXPECT_EQ(copy.params().masks, m.params().masks);
  copy.params().values[1] += 1.0f;
  EXPECT_NE(copy.params().values[1], m.params().values[1]);
}

TEST(Model, PredictInChunksEqualsOneForwardPass) {
  Model m = make_cnn(6);
  const Tensor x = random_input(m, 7, 7);
  const Tensor chunked = m.predict_logits(x, 3);
  const Tensor whole = m.forward(x, false);
  ASSERT_EQ(chunked.size(), whole.size());
  // GEMM blocking depends on the batch size, so the last bits may differ.
  for (int64_t i = 0; i < whole.size(); ++i) EXPECT_NEAR(chunked[i], whole[i], 1e-5f + 1e-5f * std::fabs(whole[i]));
}

TEST(Model, LayersThatDoNotFitNameTheLayer) {
  Rng rng(1);
  try {
    Model::from_layer_configs({{{"type", "dense"}, {"units", 3}}}, Shape{4, 4, 1}, rng);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("layer 0 (dense)"), std::string::npos) << e.what();
  }
  // The last layer must give class scores, not an image.
  EXPECT_THROW(Model::from_layer_configs({{{"type", "relu"}}}, Shape{4, 4, 1}, rng), Error);
  EXPECT_THROW(Model::from_layer_configs({{{"type", "warp"}}}, Shape{4}, rng), Error);
  // Measuring checks the same.
  EXPECT_ERROR_WITH(Model::measure({{{"type", "dense"}, {"units", 3}}}, Shape{4, 4, 1}), "layer 0 (dense)");
  EXPECT_ERROR_WITH(Model::measure({{{"type", "relu"}}}, Shape{4, 4, 1}), "flat vector of class scores");
  EXPECT_ERROR_WITH(Model::measure({}, Shape{4}), "at least one layer");
  Model m = make_cnn(1);
  Tensor wrong(Shape{1, 5, 5, 2});
  EXPECT_THROW(m.forward(wrong, false), Error);
}

}  // namespace
}  // namespace distillery
