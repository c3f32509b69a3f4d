// Structured pruning through batch_norm: its per-channel parameters and
// statistics lose the removed channels, and the shrunk model still gives the
// masked model's logits.
#include <gtest/gtest.h>

#include "engine/prune/structured.h"
#include "engine/prune/prune_test_util.h"

namespace distillery {
namespace {

using test::max_abs_diff;
using test::random_batch;

TEST(StructuredPruningBatchNorm, LosesTheRemovedChannelsToo) {
  Rng rng(4);
  std::vector<nlohmann::json> layers = {{{"type", "conv2d"}, {"filters", 6}, {"kernel_size", 3}},
                                        test::layer("batch_norm"),
                                        test::layer("relu"),
                                        test::layer("flatten"),
                                        test::dense(10),
                                        test::layer("batch_norm"),
                                        test::layer("relu"),
                                        test::dense(3)};
  Model m = Model::from_layer_configs(layers, Shape{5, 5, 2}, rng);
  // Non-trivial statistics and affine parameters, so a misplaced channel would show.
  for (int layer : {1, 5})
    for (int r : m.param_refs_of_layer(layer)) {
      const ParamRef& ref = m.params().refs[r];
      for (int64_t i = 0; i < ref.size(); ++i)
        m.params().values[ref.offset + i] =
            ref.spec.name == "moving_variance" ? rng.uniform(0.5f, 2.0f) : rng.uniform(-0.5f, 0.5f);
    }
  const Tensor x = random_batch(m.input_shape(), 7, 21);
  for (float fraction : {0.34f, 0.5f, 0.8f}) {
    const StructuredPlan plan = plan_structured(m, structured_keep_counts(m, fraction), NormCriterion::l2);
    Model small = shrink_model(m, plan);
    Model masked = masked_equivalent(m, plan);
    EXPECT_LT(max_abs_diff(small.predict_logits(x), masked.predict_logits(x)), 1e-5f) << fraction;
    EXPECT_GT(max_abs_diff(small.predict_logits(x), m.predict_logits(x)), 1e-3f) << fraction;
  }
  Model small = prune_structured(m, 0.5f, NormCriterion::l2);
  EXPECT_EQ(small.layer(1).input_shape(), (Shape{3, 3, 3}));
  EXPECT_EQ(small.params().refs[small.param_refs_of_layer(5)[0]].spec.shape, Shape{5});
}

}  // namespace
}  // namespace distillery
