// Dense (the exemplar layer): hand-computed forward, gradients, shape errors.
#include "engine/layers/dense.h"

#include <gtest/gtest.h>

#include "engine/gradient_check.h"
#include "engine/layers/bound_layer.h"

namespace distillery {
namespace {

using nlohmann::json;

TEST(DenseLayerTest, ForwardIsInputTimesKernelPlusBias) {
  test::BoundLayer dense(json{{"type", "dense"}, {"units", 2}}, Shape{3});
  dense.params[0] = {1, 2,   //
                     3, 4,   //
                     5, 6};  // kernel [in = 3, out = 2]
  dense.params[1] = {0.5f, -1.0f};
  Tensor out = dense.forward(test::make_tensor(Shape{2, 3}, {1, 0, -1, 2, 1, 0}));
  // [1, 0, -1] -> [1 - 5, 2 - 6] + b; [2, 1, 0] -> [2 + 3, 4 + 4] + b
  EXPECT_EQ(out.values(), (std::vector<float>{-3.5f, -5.0f, 5.5f, 7.0f}));
  EXPECT_EQ(dense.layer->flops_per_sample(), 2 * 3 * 2);
}

TEST(DenseLayerTest, GradientsMatchFiniteDifferences) {
  Dense with_bias(4, true);
  EXPECT_TRUE(test::check_layer_gradients(with_bias, Shape{6}));
  Dense without_bias(3, false);
  test::GradientCheckOptions options;
  options.batch = 5;
  EXPECT_TRUE(test::check_layer_gradients(without_bias, Shape{7}, options));
}

TEST(DenseLayerTest, RejectsAnImageInput) {
  test::expect_layer_error(json{{"type", "dense"}, {"units", 4}}, Shape{4, 4, 1},
                           "dense expects a flat input but got shape [4, 4, 1] (add a flatten layer before it)");
  test::expect_layer_error(json{{"type", "dense"}, {"units", 0}}, Shape{4}, "dense: units must be between");
}

}  // namespace
}  // namespace distillery
