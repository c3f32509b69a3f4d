// Flatten: NHWC order (so a Dense after it matches Keras), gradients, errors.
#include "engine/layers/flatten.h"

#include <gtest/gtest.h>

#include "engine/gradient_check.h"
#include "engine/layers/bound_layer.h"

namespace distillery {
namespace {

using nlohmann::json;
using test::BoundLayer;
using test::check_layer_gradients;
using test::expect_layer_error;

TEST(FlattenTest, KeepsNhwcOrderPerSample) {
  // Value = 100 * sample + 10 * (h * 2 + w) + c, so each value names its origin.
  Tensor input(Shape{2, 2, 2, 3});
  for (int n = 0; n < 2; ++n)
    for (int h = 0; h < 2; ++h)
      for (int w = 0; w < 2; ++w)
        for (int c = 0; c < 3; ++c) input[((n * 2 + h) * 2 + w) * 3 + c] = 100.0f * n + 10.0f * (h * 2 + w) + c;
  BoundLayer flatten(json{{"type", "flatten"}}, Shape{2, 2, 3});
  ASSERT_EQ(flatten.output_shape, (Shape{12}));
  Tensor out = flatten.forward(input);
  ASSERT_EQ(out.shape(), (Shape{2, 12}));
  // Keras' Flatten on NHWC: index (h * W + w) * C + c; channels vary fastest.
  EXPECT_EQ(out[0 * 12 + 1], 1.0f);                   // h0 w0 c1
  EXPECT_EQ(out[0 * 12 + 3], 10.0f);                  // h0 w1 c0
  EXPECT_EQ(out[0 * 12 + (1 * 2 + 0) * 3 + 2], 22.0f);  // h1 w0 c2
  EXPECT_EQ(out[1 * 12 + (1 * 2 + 1) * 3 + 1], 131.0f);  // sample 1, h1 w1 c1
}

TEST(FlattenTest, GradientsMatchFiniteDifferences) {
  Flatten flatten;
  EXPECT_TRUE(check_layer_gradients(flatten, Shape{3, 2, 4}));
  Flatten flat_already;
  EXPECT_TRUE(check_layer_gradients(flat_already, Shape{7}));
}

TEST(FlattenTest, RejectsAnEmptyInput) {
  expect_layer_error(json{{"type", "flatten"}}, Shape{}, "flatten expects a non-empty input but got []");
  expect_layer_error(json{{"type", "flatten"}}, Shape{4, 0, 2}, "flatten expects a non-empty input but got [4, 0, 2]");
}

}  // namespace
}  // namespace distillery
