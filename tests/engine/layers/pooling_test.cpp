// MaxPool2D and AvgPool2D: picked maxima, TF's "same" rules (padding never wins
// a max, averages count only real cells), finite-difference gradients, errors.
#include <gtest/gtest.h>

#include "engine/gradient_check.h"
#include "engine/layers/avgpool2d.h"
#include "engine/layers/bound_layer.h"
#include "engine/layers/maxpool2d.h"

namespace distillery {
namespace {

using nlohmann::json;
using test::BoundLayer;
using test::check_layer_gradients;
using test::counting_tensor;
using test::expect_layer_error;
using test::GradientCheckOptions;
using test::make_tensor;

json pool_config(const char* type, json pool, json strides, const char* padding) {
  json config{{"type", type}, {"pool_size", pool}, {"padding", padding}};
  if (!strides.is_null()) config["strides"] = strides;
  return config;
}

TEST(MaxPool2dTest, PicksTheMaximumOfEachWindowPerChannel) {
  // 4x4 with 2 channels; channel 1 is the negated channel 0, so its max is the
  // least of channel 0's values.
  const std::vector<float> plane = {1, 5, 2, 0,  //
                                    3, 4, 8, 7,  //
                                    9, 0, 1, 1,  //
                                    2, 6, 3, 4};
  std::vector<float> values;
  for (float v : plane) values.insert(values.end(), {v, -v});
  BoundLayer pool(pool_config("maxpool2d", 2, nullptr, "valid"), Shape{4, 4, 2});
  ASSERT_EQ(pool.output_shape, (Shape{2, 2, 2}));
  Tensor out = pool.forward(make_tensor(Shape{1, 4, 4, 2}, values));
  EXPECT_EQ(out.values(), (std::vector<float>{5, -1, 8, 0, 9, 0, 4, -1}));

  // The gradient goes to the winners only.
  Tensor upstream = make_tensor(Shape{1, 2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8});
  Tensor grad_input;
  pool.layer->backward(make_tensor(Shape{1, 4, 4, 2}, values), out, upstream, grad_input);
  EXPECT_EQ(grad_input[(0 * 4 + 1) * 2 + 0], 1);  // 5 at (0, 1)
  EXPECT_EQ(grad_input[(1 * 4 + 2) * 2 + 0], 3);  // 8 at (1, 2)
  EXPECT_EQ(grad_input[(2 * 4 + 0) * 2 + 0], 5);  // 9 at (2, 0)
  EXPECT_EQ(grad_input[(3 * 4 + 3) * 2 + 0], 7);  // 4 at (3, 3)
  EXPECT_EQ(grad_input[(0 * 4 + 0) * 2 + 1], 2);  // -1 at (0, 0)
  float total = 0.0f;
  for (float g : grad_input.values()) total += g;
  EXPECT_EQ(total, 36.0f);
}

TEST(MaxPool2dTest, SamePaddingNeverLetsPaddingWin) {
  // 3x3 of negative values, pool 2, stride 2, "same": out 2x2, padding after.
  // Zero padding would make the last row/column 0; TF pads with -infinity.
  Tensor input = counting_tensor(Shape{1, 3, 3, 1});
  for (float& v : input.values()) v = -v;  // -1 .. -9
  BoundLayer pool(pool_config("maxpool2d", 2, 2, "same"), Shape{3, 3, 1});
  ASSERT_EQ(pool.output_shape, (Shape{2, 2, 1}));
  Tensor out = pool.forward(input);
  EXPECT_EQ(out.values(), (std::vector<float>{-1, -3, -7, -9}));
}

TEST(MaxPool2dTest, ExplicitPaddingIsPyTorchsMaxPool) {
  // nn.MaxPool2d(3, 2, padding=1) on 4x4 of -1 .. -16: windows centred on rows/cols 0 and 2, the padding
  // never wins: out = max of rows 0-1 x cols 0-1 (-1), rows 0-1 x cols 1-3 (-2), rows 1-3 x cols 0-1 (-5), -6.
  Tensor input = counting_tensor(Shape{1, 4, 4, 1});
  for (float& v : input.values()) v = -v;
  json config = pool_config("maxpool2d", 3, 2, "valid");
  config["padding"] = json{{1, 1}, {1, 1}};
  BoundLayer pool(config, Shape{4, 4, 1});
  ASSERT_EQ(pool.output_shape, (Shape{2, 2, 1}));
  EXPECT_EQ(pool.forward(input).values(), (std::vector<float>{-1, -2, -5, -6}));
}

TEST(MaxPool2dTest, OverlappingWindowsAndStrides) {
  // pool 3, stride 1, valid on 4x4 counting: maxima are the bottom-right corners.
  BoundLayer pool(pool_config("maxpool2d", 3, 1, "valid"), Shape{4, 4, 1});
  EXPECT_EQ(pool.forward(counting_tensor(Shape{1, 4, 4, 1})).values(), (std::vector<float>{11, 12, 15, 16}));
  // Non-square pool [1, 2] with default strides = pool size.
  BoundLayer wide(pool_config("maxpool2d", json{1, 2}, nullptr, "valid"), Shape{2, 4, 1});
  ASSERT_EQ(wide.output_shape, (Shape{2, 2, 1}));
  EXPECT_EQ(wide.forward(make_tensor(Shape{1, 2, 4, 1}, {3, 1, 0, 2, 5, 9, 4, 4})).values(),
            (std::vector<float>{3, 2, 9, 4}));
}

TEST(MaxPool2dTest, GradientsMatchFiniteDifferences) {
  GradientCheckOptions options;
  options.distinct_inputs = true;  // no near-ties inside a window
  options.epsilon = 1e-3;
  struct Case {
    Shape input;
    json pool, strides;
    const char* padding;
  };
  for (const Case& c : std::vector<Case>{{{4, 4, 2}, 2, nullptr, "valid"},
                                         {{5, 5, 3}, 2, nullptr, "same"},
                                         {{7, 5, 2}, 3, 2, "same"},
                                         {{6, 7, 1}, 3, 2, "valid"},
                                         {{5, 4, 2}, json{2, 3}, json{1, 2}, "same"}}) {
    SCOPED_TRACE(c.input.str() + " pool " + c.pool.dump() + " " + c.padding);
    MaxPool2D pool(pool_config("maxpool2d", c.pool, c.strides, c.padding));
    EXPECT_TRUE(check_layer_gradients(pool, c.input, options));
  }
}

TEST(AvgPool2dTest, AveragesEachWindow) {
  BoundLayer pool(pool_config("avgpool2d", 2, nullptr, "valid"), Shape{4, 4, 1});
  // Windows of 1..16: (1+2+5+6)/4 = 3.5, then 5.5, 11.5, 13.5.
  EXPECT_EQ(pool.forward(counting_tensor(Shape{1, 4, 4, 1})).values(), (std::vector<float>{3.5, 5.5, 11.5, 13.5}));
}

TEST(AvgPool2dTest, SamePaddingAveragesOnlyRealCells) {
  // 3x3 counting, pool 2, stride 2, "same": the last window of each row/column
  // holds fewer real cells and is divided by their count, as TF does.
  BoundLayer pool(pool_config("avgpool2d", 2, 2, "same"), Shape{3, 3, 1});
  ASSERT_EQ(pool.output_shape, (Shape{2, 2, 1}));
  EXPECT_EQ(pool.forward(counting_tensor(Shape{1, 3, 3, 1})).values(),
            (std::vector<float>{(1 + 2 + 4 + 5) / 4.0f, (3 + 6) / 2.0f, (7 + 8) / 2.0f, 9}));
  // A 3x3 pool with stride 1 pads one on each side: the corner averages 4 cells.
  BoundLayer centred(pool_config("avgpool2d", 3, 1, "same"), Shape{3, 3, 1});
  Tensor out = centred.forward(counting_tensor(Shape{1, 3, 3, 1}));
  EXPECT_FLOAT_EQ(out[0], (1 + 2 + 4 + 5) / 4.0f);
  EXPECT_FLOAT_EQ(out[4], 5.0f);
}

TEST(AvgPool2dTest, GradientsMatchFiniteDifferences) {
  struct Case {
    Shape input;
    json pool, strides;
    const char* padding;
  };
  for (const Case& c : std::vector<Case>{{{4, 4, 2}, 2, nullptr, "valid"},
                                         {{5, 5, 3}, 2, nullptr, "same"},
                                         {{7, 5, 2}, 3, 2, "same"},
                                         {{6, 7, 1}, 3, 2, "valid"},
                                         {{3, 3, 1}, 3, 1, "same"}}) {
    SCOPED_TRACE(c.input.str() + " pool " + c.pool.dump() + " " + c.padding);
    AvgPool2D pool(pool_config("avgpool2d", c.pool, c.strides, c.padding));
    EXPECT_TRUE(check_layer_gradients(pool, c.input));
  }
}

TEST(Pool2dTest, ConfigDefaultsAndKerasNullStrides) {
  MaxPool2D pool(json{{"type", "maxpool2d"}, {"pool_size", json{3, 2}}, {"strides", nullptr}});
  EXPECT_EQ(pool.strides(), (IntPair{3, 2}));
  EXPECT_EQ(pool.padding().kind, Padding::Kind::kValid);
  EXPECT_EQ(pool.config(), (json{{"type", "maxpool2d"}, {"pool_size", {3, 2}}, {"strides", {3, 2}}, {"padding", "valid"}}));
  EXPECT_EQ(AvgPool2D(json{{"type", "avgpool2d"}, {"pool_size", 2}}).config()["type"], "avgpool2d");
}

TEST(Pool2dTest, RejectsBadShapesAndConfigsWithClearMessages) {
  expect_layer_error(pool_config("maxpool2d", 3, nullptr, "valid"), Shape{2, 2, 4},
                     "maxpool2d: pool 3 is larger than the input 2x2");
  expect_layer_error(pool_config("avgpool2d", json{2, 5}, nullptr, "valid"), Shape{4, 4, 1},
                     "avgpool2d: pool 2x5 is larger than the input 4x4");
  expect_layer_error(pool_config("maxpool2d", 2, nullptr, "valid"), Shape{10},
                     "maxpool2d expects an image [H, W, C] but got [10]");
  expect_layer_error(pool_config("avgpool2d", 2, nullptr, "valid"), Shape{4, 4},
                     "avgpool2d expects an image [H, W, C] but got [4, 4]");
  expect_layer_error(pool_config("maxpool2d", json{2, 2, 2}, nullptr, "valid"), Shape{4, 4, 1},
                     "maxpool2d: \"pool_size\" must be a positive integer or a pair [h, w]");
  expect_layer_error(pool_config("maxpool2d", 2, 0, "valid"), Shape{4, 4, 1}, "maxpool2d: \"strides\" must be");
  expect_layer_error(pool_config("avgpool2d", 2, nullptr, "SAME"), Shape{4, 4, 1}, "\"padding\" must be");
  expect_layer_error(json{{"type", "maxpool2d"}}, Shape{4, 4, 1}, "layer 'maxpool2d' needs \"pool_size\"");
  // "same" padding accepts a pool larger than the input, as TF does.
  BoundLayer big(pool_config("maxpool2d", 3, 3, "same"), Shape{2, 2, 1});
  EXPECT_EQ(big.output_shape, (Shape{1, 1, 1}));
  EXPECT_EQ(big.forward(make_tensor(Shape{1, 2, 2, 1}, {1, 4, 3, 2})).values(), std::vector<float>{4});
}

}  // namespace
}  // namespace distillery
