// Structured pruning of graph models: channels joined by an add are one group,
// removed from every layer that produces or reads them, so a pruned ResNet is
// physically smaller, keeps its function when only zero channels go, and
// equals its masked view.
#include <gtest/gtest.h>

#include "engine/core/error.h"
#include "engine/model/arch_spec.h"
#include "engine/prune/prune_test_util.h"
#include "engine/prune/structured.h"

namespace distillery {
namespace {

using test::max_abs_diff;
using test::random_batch;

Model resnet(uint64_t seed) {
  Rng rng(seed);
  Model m = Model::from_layer_configs(parse_arch_spec("conv:8:3,res:8,res:16:2,gap", 4), Shape{8, 8, 1}, rng);
  // Random batch-norm statistics and affine terms, so they matter to the function.
  Rng noise(seed + 1);
  for (const ParamRef& ref : m.params().refs) {
    if (m.layer(ref.layer).type() != "batch_norm") continue;
    const bool variance = ref.spec.name == "moving_variance";
    for (int64_t k = 0; k < ref.size(); ++k)
      m.params().values[ref.offset + k] = variance ? noise.uniform(0.5f, 2.0f) : noise.uniform(-0.5f, 0.5f);
  }
  return m;
}

int layer_named(const Model& m, const std::string& name) {
  for (int i = 0; i < m.num_layers(); ++i)
    if (m.graph().names[i] == name) return i;
  ADD_FAILURE() << "no layer " << name;
  return 0;
}

float* param(Model& m, int layer, const std::string& name) {
  for (int r : m.param_refs_of_layer(layer))
    if (m.params().refs[r].spec.name == name) return m.params().values.data() + m.params().refs[r].offset;
  ADD_FAILURE() << "no " << name;
  return nullptr;
}

// Zeroes output channel c of a conv (kernel [kh, kw, in, out] and bias).
void zero_conv_output(Model& m, int layer, int c) {
  const Layer& conv = m.layer(layer);
  const int out = conv.output_shape()[2];
  const int64_t kernel_size = static_cast<int64_t>(conv.config()["kernel_size"][0].get<int>()) *
                              conv.config()["kernel_size"][1].get<int>() * conv.input_shape()[2] * out;
  float* kernel = param(m, layer, "kernel");
  for (int64_t k = c; k < kernel_size; k += out) kernel[k] = 0.0f;
  if (conv.config()["use_bias"].get<bool>()) param(m, layer, "bias")[c] = 0.0f;
}

TEST(StructuredGraphPruning, RemovingChannelsThatAreZeroAcrossAnAddKeepsTheFunction) {
  Model m = resnet(1);
  // Channels 2 and 5 of the stem and of res1's add: zero in the stem conv, in
  // res1's second conv and in its batch norm (mean and beta 0: 0 in, 0 out).
  const int stem = 0, conv2 = layer_named(m, "res1_conv2"), bn2 = layer_named(m, "res1_bn2");
  for (int c : {2, 5}) {
    zero_conv_output(m, stem, c);
    zero_conv_output(m, conv2, c);
    param(m, bn2, "beta")[c] = 0.0f;
    param(m, bn2, "moving_mean")[c] = 0.0f;
  }
  std::vector<int> keep(static_cast<size_t>(m.num_layers()), -1);
  keep[stem] = keep[conv2] = 6;
  const StructuredPlan plan = plan_structured(m, keep, NormCriterion::l2);
  EXPECT_EQ(plan.kept_outputs[stem], (std::vector<int>{0, 1, 3, 4, 6, 7}));
  EXPECT_EQ(plan.kept_outputs[conv2], plan.kept_outputs[stem]);  // one group: the add ties them
  EXPECT_EQ(plan.kept_inputs[layer_named(m, "res1_conv1")], plan.kept_outputs[stem]);
  EXPECT_EQ(plan.kept_inputs[layer_named(m, "res2_proj")], plan.kept_outputs[stem]);
  EXPECT_EQ(plan.kept_outputs[bn2], plan.kept_outputs[stem]);
  // res1's first conv is a group of its own, untouched here.
  EXPECT_EQ(plan.kept_outputs[layer_named(m, "res1_conv1")].size(), 8u);

  Model small = shrink_model(m, plan);
  EXPECT_FALSE(small.is_chain());
  EXPECT_EQ(small.layer(stem).output_shape()[2], 6);
  EXPECT_LT(small.parameter_count(), m.parameter_count());
  const Tensor x = random_batch(m.input_shape(), 5, 3);
  EXPECT_LT(max_abs_diff(small.predict_logits(x), m.predict_logits(x)), 1e-5f);
}

TEST(StructuredGraphPruning, HalfTheChannelsOfAResNetLeaveAQuarterOfItsWeights) {
  Model m = resnet(2);
  const StructuredPlan plan = plan_structured(m, structured_keep_counts(m, 0.5f), NormCriterion::l1);
  Model small = shrink_model(m, plan);
  Model masked = masked_equivalent(m, plan);
  const Tensor x = random_batch(m.input_shape(), 7, 4);
  const Tensor a = small.predict_logits(x);
  EXPECT_LT(max_abs_diff(a, masked.predict_logits(x)), 1e-5f);
  EXPECT_GT(max_abs_diff(a, m.predict_logits(x)), 1e-3f);  // something was removed
  EXPECT_LE(small.parameter_count(), m.parameter_count() * 55 / 100);
  // Every add still joins tensors of one shape, with half the channels.
  for (int i = 0; i < small.num_layers(); ++i)
    if (small.layer(i).type() == "add") {
      EXPECT_EQ(small.layer(i).output_shape()[2], m.layer(i).output_shape()[2] / 2);
    }
  EXPECT_EQ(Model::measure(small.layer_configs(), small.input_shape()).parameters, small.parameter_count());
}

TEST(StructuredGraphPruning, InvertedResidualsLoseChannelsThroughTheirDepthwiseConvolutions) {
  Rng rng(4);
  Model m = Model::from_layer_configs(parse_arch_spec("conv:8:3,mbconv:8:4,mbconv:12:2:2,gap", 4), Shape{8, 8, 1}, rng);
  const StructuredPlan plan = plan_structured(m, structured_keep_counts(m, 0.5f), NormCriterion::l2);
  Model small = shrink_model(m, plan);
  const Tensor x = random_batch(m.input_shape(), 6, 5);
  EXPECT_LT(max_abs_diff(small.predict_logits(x), masked_equivalent(m, plan).predict_logits(x)), 1e-5f);
  EXPECT_LT(small.parameter_count(), m.parameter_count() * 45 / 100);
  for (int i = 0; i < small.num_layers(); ++i)
    if (small.layer(i).type() == "depthwise_conv2d") {
      EXPECT_EQ(small.layer(i).output_shape()[2], m.layer(i).output_shape()[2] / 2) << small.graph().names[i];
    }
}

TEST(StructuredGraphPruning, ChannelsAddedToAConcatenationAreRefused) {
  Rng rng(3);
  const std::vector<nlohmann::json> layers{
      {{"type", "conv2d"}, {"name", "a"}, {"filters", 2}, {"kernel_size", 1}},
      {{"type", "conv2d"}, {"name", "b"}, {"filters", 2}, {"kernel_size", 1}, {"inputs", {"input"}}},
      {{"type", "concatenate"}, {"name", "cat"}, {"inputs", {"a", "b"}}},
      {{"type", "conv2d"}, {"name", "c"}, {"filters", 4}, {"kernel_size", 1}, {"inputs", {"input"}}},
      {{"type", "add"}, {"inputs", {"cat", "c"}}},
      {{"type", "flatten"}},
      {{"type", "dense"}, {"units", 3}}};
  Model m = Model::from_layer_configs(layers, Shape{3, 3, 1}, rng);
  try {
    plan_structured(m, structured_keep_counts(m, 0.5f), NormCriterion::l2);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "structured pruning cannot follow the channels of layer 2 (concatenate), which are added "
                           "to a weighted layer's");
  }
}

}  // namespace
}  // namespace distillery
