// Structured pruning: the shrunk model is smaller, keeps the strongest units,
// and gives the same logits as the masked model it came from (before any
// fine-tuning), for an MLP and for conv -> pool -> flatten -> dense.
#include <gtest/gtest.h>

#include "engine/core/error.h"
#include "engine/layers/conv2d.h"
#include "engine/layers/dense.h"
#include "engine/prune/masks.h"
#include "engine/prune/structured.h"
#include "engine/prune/prune_test_util.h"

namespace distillery {
namespace {

using test::make_cnn;
using test::make_mlp;
using test::max_abs_diff;
using test::random_batch;

// (The masked view keeps a batch_norm's numbers for removed channels, so its
// non-zero count only matches the shrunk model's without batch_norm.)
void expect_shrunk_equals_masked(Model& model, float fraction, NormCriterion criterion, bool same_nonzeros = true) {
  const StructuredPlan plan = plan_structured(model, structured_keep_counts(model, fraction), criterion);
  Model small = shrink_model(model, plan);
  Model masked = masked_equivalent(model, plan);
  const Tensor x = random_batch(model.input_shape(), 9, 21);
  const Tensor a = small.predict_logits(x);
  const Tensor b = masked.predict_logits(x);
  ASSERT_EQ(a.shape(), b.shape());
  EXPECT_LT(max_abs_diff(a, b), 1e-5f) << "fraction " << fraction;
  // ...and removing units really changed the function (the test can fail).
  if (fraction >= 0.5f) {
    EXPECT_GT(max_abs_diff(a, model.predict_logits(x)), 1e-3f);
  }
  EXPECT_LT(small.parameter_count(), model.parameter_count());
  if (same_nonzeros) {
    EXPECT_EQ(small.nonzero_parameter_count(), masked.nonzero_parameter_count());
  }
}

TEST(StructuredPruning, MlpShrinksUnitsAndTheNextLayersInputs) {
  Model m = make_mlp();
  Model small = prune_structured(m, 0.5f, NormCriterion::l2);
  const auto& d1 = dynamic_cast<const Dense&>(small.layer(1));
  const auto& d2 = dynamic_cast<const Dense&>(small.layer(3));
  const auto& logits = dynamic_cast<const Dense&>(small.layer(5));
  EXPECT_EQ(d1.units(), 12);
  EXPECT_EQ(d2.inputs(), 12);
  EXPECT_EQ(d2.units(), 8);
  EXPECT_EQ(logits.inputs(), 8);
  EXPECT_EQ(logits.units(), 3);  // the logits are never shrunk
  EXPECT_EQ(small.parameter_count(), 36 * 12 + 12 + 12 * 8 + 8 + 8 * 3 + 3);
  EXPECT_EQ(small.class_names, m.class_names);
  EXPECT_EQ(small.name, m.name);
}

TEST(StructuredPruning, MlpShrunkLogitsEqualMaskedLogits) {
  for (float fraction : {0.25f, 0.5f, 0.75f, 0.95f})
    for (NormCriterion c : {NormCriterion::l1, NormCriterion::l2}) {
      Model m = make_mlp(7);
      expect_shrunk_equals_masked(m, fraction, c);
    }
}

TEST(StructuredPruning, ConvPoolFlattenDenseShrunkLogitsEqualMaskedLogits) {
  for (float fraction : {0.25f, 0.5f, 0.75f}) {
    Model m = make_cnn();
    expect_shrunk_equals_masked(m, fraction, NormCriterion::l1);
  }
  Model m = make_cnn();
  Model small = prune_structured(m, 0.5f, NormCriterion::l2);
  EXPECT_EQ(dynamic_cast<const Conv2D&>(small.layer(0)).filters(), 4);
  EXPECT_EQ(dynamic_cast<const Conv2D&>(small.layer(3)).in_channels(), 4);
  EXPECT_EQ(dynamic_cast<const Conv2D&>(small.layer(3)).filters(), 3);
  // 6x6 -> conv valid 4x4 -> pool 2x2 -> conv same 2x2: flatten of 2*2*3 inputs.
  EXPECT_EQ(dynamic_cast<const Dense&>(small.layer(7)).inputs(), 12);
  EXPECT_EQ(dynamic_cast<const Dense&>(small.layer(7)).units(), 6);
  EXPECT_EQ(dynamic_cast<const Dense&>(small.layer(9)).units(), 3);
}

TEST(StructuredPruning, FlattenMapsAFilterToItsBlockOfDenseInputs) {
  Model m = make_cnn();
  std::vector<int> keep(static_cast<size_t>(m.num_layers()), -1);
  keep[3] = 2;  // second conv: 2 of 6 filters
  const StructuredPlan plan = plan_structured(m, keep, NormCriterion::l2);
  const std::vector<int>& filters = plan.kept_outputs[3];
  ASSERT_EQ(filters.size(), 2u);
  std::vector<int> expected;
  for (int p = 0; p < 4; ++p)
    for (int c : filters) expected.push_back(p * 6 + c);
  EXPECT_EQ(plan.kept_inputs[7], expected);
  EXPECT_EQ(plan.kept_outputs[0].size(), 8u);  // layers without a count keep everything
}

TEST(StructuredPruning, KeepsTheUnitsWithTheLargestNorm) {
  Model m = make_mlp();
  // Unit 5 of the first dense layer gets a large L1 norm spread thinly, unit 9
  // a large L2 norm concentrated in one weight; the criteria must disagree.
  const ParamRef& k = m.params().refs[m.param_refs_of_layer(1)[0]];
  float* w = m.params().values.data() + k.offset;
  for (int i = 0; i < 36; ++i) {
    for (int o = 0; o < 24; ++o) w[i * 24 + o] = 0.01f;
    w[i * 24 + 5] = 0.3f;  // L1 10.8, L2 1.8
  }
  w[0 * 24 + 9] = 3.0f;  // L1 3.35, L2 3.0
  std::vector<int> keep(static_cast<size_t>(m.num_layers()), -1);
  keep[1] = 1;
  EXPECT_EQ(plan_structured(m, keep, NormCriterion::l1).kept_outputs[1], std::vector<int>{5});
  EXPECT_EQ(plan_structured(m, keep, NormCriterion::l2).kept_outputs[1], std::vector<int>{9});
  // Equal norms keep the lower indices.
  for (int i = 0; i < 36 * 24; ++i) w[i] = 0.1f;
  keep[1] = 3;
  EXPECT_EQ(plan_structured(m, keep, NormCriterion::l2).kept_outputs[1], (std::vector<int>{0, 1, 2}));
}

TEST(StructuredPruning, CarriesMasksOfAnEarlierUnstructuredPruning) {
  Model m = make_mlp();
  m.params().masks[m.params().refs[0].offset] = 0.0f;  // input 0 -> unit 0 pruned
  apply_masks(m);
  std::vector<int> keep(static_cast<size_t>(m.num_layers()), -1);
  keep[3] = 4;
  Model small = shrink_model(m, plan_structured(m, keep, NormCriterion::l2));
  EXPECT_EQ(small.params().masks[small.params().refs[0].offset], 0.0f);
  EXPECT_TRUE(small.params().has_pruning());
}

TEST(StructuredPruning, ClearErrors) {
  Rng rng(1);
  Model single = Model::from_layer_configs({test::layer("flatten"), test::dense(3)}, Shape{2, 2, 1}, rng);
  EXPECT_THROW(structured_keep_counts(single, 0.5f), Error);
  Model m = make_mlp();
  EXPECT_THROW(structured_keep_counts(m, 1.0f), Error);
  EXPECT_THROW(parse_norm_criterion("l3"), Error);
  // A fraction that would remove everything still keeps one unit.
  const std::vector<int> counts = structured_keep_counts(m, 0.99f);
  EXPECT_EQ(counts[1], 1);
  EXPECT_EQ(counts[5], -1);
}

}  // namespace
}  // namespace distillery
