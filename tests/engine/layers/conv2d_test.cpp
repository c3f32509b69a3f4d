// Conv2D: hand-computed forward values, TensorFlow's "same" padding rule, a naive
// reference over many geometries, finite-difference gradients, init and errors.
#include "engine/layers/conv2d.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "engine/core/error.h"
#include "engine/gradient_check.h"
#include "engine/layers/bound_layer.h"

namespace distillery {
namespace {

using nlohmann::json;
using test::BoundLayer;
using test::check_layer_gradients;
using test::counting_tensor;
using test::expect_layer_error;
using test::random_tensor;

json conv_config(int filters, json kernel, json strides, const char* padding, bool use_bias = true) {
  return {{"type", "conv2d"}, {"filters", filters}, {"kernel_size", kernel}, {"strides", strides},
          {"padding", padding}, {"use_bias", use_bias}};
}

// Direct convolution written from TF's definition, independent of im2col.
Tensor reference_conv(const Tensor& input, const std::vector<float>& kernel, const std::vector<float>& bias, int kh,
                      int kw, int sh, int sw, bool same, int filters) {
  const int n = input.dim(0), h = input.dim(1), w = input.dim(2), c = input.dim(3);
  int out_h, out_w, pad_top = 0, pad_left = 0;
  if (same) {
    out_h = (h + sh - 1) / sh;
    out_w = (w + sw - 1) / sw;
    pad_top = std::max((out_h - 1) * sh + kh - h, 0) / 2;
    pad_left = std::max((out_w - 1) * sw + kw - w, 0) / 2;
  } else {
    out_h = (h - kh) / sh + 1;
    out_w = (w - kw) / sw + 1;
  }
  Tensor out(Shape{n, out_h, out_w, filters});
  for (int s = 0; s < n; ++s)
    for (int oy = 0; oy < out_h; ++oy)
      for (int ox = 0; ox < out_w; ++ox)
        for (int f = 0; f < filters; ++f) {
          double sum = bias.empty() ? 0.0 : bias[f];
          for (int ky = 0; ky < kh; ++ky)
            for (int kx = 0; kx < kw; ++kx)
              for (int ch = 0; ch < c; ++ch) {
                const int y = oy * sh - pad_top + ky, x = ox * sw - pad_left + kx;
                if (y < 0 || y >= h || x < 0 || x >= w) continue;
                sum += static_cast<double>(input[((s * h + y) * w + x) * c + ch]) *
                       kernel[((ky * kw + kx) * c + ch) * filters + f];
              }
          out[((s * out_h + oy) * out_w + ox) * filters + f] = static_cast<float>(sum);
        }
  return out;
}

TEST(Conv2dTest, Valid3x3On4x4MatchesHandComputedValues) {
  // Input 1..16 (4x4, one channel); kernel taps 1..9 in [ky, kx] order. TF's
  // convolution is a cross-correlation: out[0][0] = 1*1 + 2*2 + 3*3 + 4*5 + 5*6
  // + 6*7 + 7*9 + 8*10 + 9*11 = 348; one column right adds sum(kernel) = 45,
  // one row down adds 4 * 45 = 180.
  BoundLayer conv(conv_config(1, 3, 1, "valid"), Shape{4, 4, 1});
  ASSERT_EQ(conv.output_shape, (Shape{2, 2, 1}));
  for (int i = 0; i < 9; ++i) conv.params[0][i] = static_cast<float>(i + 1);
  conv.params[1][0] = 0.5f;
  Tensor out = conv.forward(counting_tensor(Shape{1, 4, 4, 1}));
  ASSERT_EQ(out.shape(), (Shape{1, 2, 2, 1}));
  EXPECT_FLOAT_EQ(out[0], 348.5f);
  EXPECT_FLOAT_EQ(out[1], 393.5f);
  EXPECT_FLOAT_EQ(out[2], 528.5f);
  EXPECT_FLOAT_EQ(out[3], 573.5f);
}

TEST(Conv2dTest, SamePaddingPutsTheOddExtraAfterLikeTensorFlow) {
  // 4x4 input, 3x3 kernel, stride 2, "same": out = ceil(4 / 2) = 2, pad_total =
  // (2 - 1) * 2 + 3 - 4 = 1, so no padding on top/left and one row/column after.
  // With an all-ones kernel: out[0][0] = rows 0-2 x cols 0-2 = 54, out[0][1] =
  // rows 0-2 x cols 2-3 = 45, out[1][0] = rows 2-3 x cols 0-2 = 72, out[1][1] = 54.
  // (Padding one before would give out[0][0] = 1 + 2 + 5 + 6 = 14.)
  BoundLayer conv(conv_config(1, 3, 2, "same", false), Shape{4, 4, 1});
  ASSERT_EQ(conv.output_shape, (Shape{2, 2, 1}));
  std::fill(conv.params[0].begin(), conv.params[0].end(), 1.0f);
  Tensor out = conv.forward(counting_tensor(Shape{1, 4, 4, 1}));
  EXPECT_FLOAT_EQ(out[0], 54.0f);
  EXPECT_FLOAT_EQ(out[1], 45.0f);
  EXPECT_FLOAT_EQ(out[2], 72.0f);
  EXPECT_FLOAT_EQ(out[3], 54.0f);
}

TEST(Conv2dTest, ExplicitPaddingPadsBothSidesLikePyTorch) {
  // PyTorch's 3x3, stride 2, padding 1 on 4x4: [[1, 1], [1, 1]], out = (4 + 2 - 3) / 2 + 1 = 2, windows
  // centred on pixels 0 and 2 (TF's "same" centres them on 1 and 3). All-ones kernel on 1..16:
  // out[0][0] = 1 + 2 + 5 + 6 = 14, out[0][1] = rows 0-1 x cols 1-3 = 2+3+4+6+7+8 = 30,
  // out[1][0] = rows 1-3 x cols 0-1 = 5+6+9+10+13+14 = 57, out[1][1] = rows 1-3 x cols 1-3 = 99.
  json config = conv_config(1, 3, 2, "valid", false);
  config["padding"] = json{{1, 1}, {1, 1}};
  BoundLayer conv(config, Shape{4, 4, 1});
  ASSERT_EQ(conv.output_shape, (Shape{2, 2, 1}));
  EXPECT_EQ(Conv2D(config).config()["padding"], (json{{1, 1}, {1, 1}}));
  std::fill(conv.params[0].begin(), conv.params[0].end(), 1.0f);
  Tensor out = conv.forward(counting_tensor(Shape{1, 4, 4, 1}));
  EXPECT_FLOAT_EQ(out[0], 14.0f);
  EXPECT_FLOAT_EQ(out[1], 30.0f);
  EXPECT_FLOAT_EQ(out[2], 57.0f);
  EXPECT_FLOAT_EQ(out[3], 99.0f);
  // Asymmetric pads and their gradients; all-zero pads read as "valid".
  json uneven = conv_config(3, json{3, 2}, json{2, 1}, "valid");
  uneven["padding"] = json{{0, 2}, {1, 0}};
  Conv2D uneven_conv(uneven);
  EXPECT_TRUE(check_layer_gradients(uneven_conv, Shape{5, 4, 2}));
  config["padding"] = json{{0, 0}, {0, 0}};
  EXPECT_EQ(Conv2D(config).config()["padding"], "valid");
}

TEST(Conv2dTest, SamePaddingWithEvenKernelPadsOnlyAfter) {
  // 2x2 kernel, stride 1, "same" on 4x4: pad_total = 1, all of it after.
  BoundLayer conv(conv_config(1, 2, 1, "same", false), Shape{4, 4, 1});
  ASSERT_EQ(conv.output_shape, (Shape{4, 4, 1}));
  std::fill(conv.params[0].begin(), conv.params[0].end(), 1.0f);
  Tensor out = conv.forward(counting_tensor(Shape{1, 4, 4, 1}));
  EXPECT_FLOAT_EQ(out[0], 1 + 2 + 5 + 6);
  EXPECT_FLOAT_EQ(out[3], 4 + 8);    // last column: only the column itself
  EXPECT_FLOAT_EQ(out[12], 13 + 14);  // last row
  EXPECT_FLOAT_EQ(out[15], 16);
}

TEST(Conv2dTest, MatchesDirectConvolutionOnManyGeometries) {
  struct Case {
    Shape input;
    int kh, kw, sh, sw;
    bool same;
    int filters, batch;
  };
  const std::vector<Case> cases = {
      {{7, 5, 3}, 3, 2, 2, 1, true, 4, 2},  {{6, 6, 2}, 3, 3, 2, 2, false, 3, 3}, {{5, 5, 1}, 5, 5, 1, 1, false, 2, 1},
      {{4, 4, 3}, 1, 1, 1, 1, false, 5, 2}, {{9, 7, 2}, 3, 3, 3, 3, true, 2, 2},  {{5, 6, 2}, 4, 4, 1, 1, true, 3, 2},
      {{1, 1, 4}, 3, 3, 2, 2, true, 2, 2},  {{8, 3, 1}, 1, 3, 2, 1, false, 1, 1},
      // 147k column floats per sample: 10 samples take two workspace chunks.
      {{32, 32, 16}, 3, 3, 1, 1, true, 4, 10},
  };
  uint64_t seed = 100;
  for (const Case& c : cases) {
    SCOPED_TRACE("input " + c.input.str() + " kernel " + std::to_string(c.kh) + "x" + std::to_string(c.kw) +
                 " stride " + std::to_string(c.sh) + "x" + std::to_string(c.sw) + (c.same ? " same" : " valid"));
    BoundLayer conv(conv_config(c.filters, {c.kh, c.kw}, {c.sh, c.sw}, c.same ? "same" : "valid"), c.input, seed);
    for (float& b : conv.params[1]) b = conv.rng.uniform(-1.0f, 1.0f);
    Tensor input = random_tensor(c.input.with_batch(c.batch), ++seed);
    Tensor out = conv.forward(input);
    Tensor expected = reference_conv(input, conv.params[0], conv.params[1], c.kh, c.kw, c.sh, c.sw, c.same, c.filters);
    ASSERT_EQ(out.shape(), expected.shape());
    ASSERT_EQ(conv.output_shape.with_batch(c.batch), expected.shape());
    for (int64_t i = 0; i < out.size(); ++i) ASSERT_NEAR(out[i], expected[i], 1e-4) << "at " << i;
  }
}

struct GradientCase {
  Shape input;
  json kernel, strides;
  const char* padding;
  bool use_bias;
};

TEST(Conv2dTest, GradientsMatchFiniteDifferences) {
  const std::vector<GradientCase> cases = {
      {{5, 5, 3}, 3, 1, "valid", true},           {{5, 5, 3}, 3, 1, "same", true},
      {{7, 5, 2}, 3, 2, "same", true},            {{7, 6, 2}, 3, 2, "valid", false},
      {{6, 6, 1}, json{2, 2}, json{2, 2}, "same", true}, {{5, 7, 2}, json{3, 2}, json{2, 1}, "same", true},
      {{4, 4, 3}, 1, 1, "valid", true},           {{3, 3, 2}, 5, 2, "same", true},
  };
  for (const GradientCase& c : cases) {
    SCOPED_TRACE("input " + c.input.str() + " kernel " + c.kernel.dump() + " strides " + c.strides.dump() + " " +
                 c.padding);
    Conv2D conv(conv_config(3, c.kernel, c.strides, c.padding, c.use_bias));
    EXPECT_TRUE(check_layer_gradients(conv, c.input));
  }
}

TEST(Conv2dTest, GradientsAccumulateOverWorkspaceChunks) {
  // 3 samples of 24x24x8 with a 5x5 kernel: 115k column floats each, so a batch of
  // 12 takes two chunks of the 1M-float workspace. Checked on a few values only.
  Conv2D conv(conv_config(2, 5, 1, "same"));
  conv.build(Shape{24, 24, 8});
  std::vector<float> kernel(5 * 5 * 8 * 2), bias(2), kernel_grad(kernel.size()), bias_grad(2);
  conv.bind({kernel.data(), bias.data()}, {kernel_grad.data(), bias_grad.data()});
  Rng rng(3);
  conv.initialize(rng);
  Tensor input = random_tensor(Shape{12, 24, 24, 8}, 4);
  Tensor output, grad_input;
  conv.forward(input, output, true);
  Tensor upstream = random_tensor(output.shape(), 5);
  conv.backward(input, output, upstream, grad_input);
  // Per-sample sums must equal a batch of one sample at a time.
  std::vector<float> kernel_grad_by_sample(kernel.size(), 0.0f);
  std::vector<float> saved = kernel_grad;
  for (int s = 0; s < 12; ++s) {
    Tensor one(Shape{1, 24, 24, 8}), one_out, one_up(Shape{1, 24, 24, 2}), one_grad;
    std::copy(input.data() + s * one.size(), input.data() + (s + 1) * one.size(), one.data());
    std::copy(upstream.data() + s * one_up.size(), upstream.data() + (s + 1) * one_up.size(), one_up.data());
    std::fill(kernel_grad.begin(), kernel_grad.end(), 0.0f);
    conv.forward(one, one_out, true);
    conv.backward(one, one_out, one_up, one_grad);
    for (size_t i = 0; i < kernel.size(); ++i) kernel_grad_by_sample[i] += kernel_grad[i];
    for (int64_t i = 0; i < one_grad.size(); i += 97) ASSERT_NEAR(one_grad[i], grad_input[s * one.size() + i], 1e-4);
  }
  for (size_t i = 0; i < kernel.size(); ++i) EXPECT_NEAR(saved[i], kernel_grad_by_sample[i], 1e-2) << i;
}

TEST(Conv2dTest, ShapesAndFlops) {
  Conv2D conv(conv_config(8, 3, 2, "same"));
  EXPECT_EQ(conv.build(Shape{28, 28, 3}), (Shape{14, 14, 8}));
  EXPECT_EQ(conv.flops_per_sample(), 2LL * 14 * 14 * (3 * 3 * 3) * 8);
  const auto specs = conv.param_specs();
  ASSERT_EQ(specs.size(), 2u);
  EXPECT_EQ(specs[0].name, "kernel");
  EXPECT_EQ(specs[0].shape, (Shape{3, 3, 3, 8}));
  EXPECT_TRUE(specs[0].prunable);
  EXPECT_EQ(specs[1].shape, (Shape{8}));
  EXPECT_FALSE(specs[1].prunable);

  Conv2D valid(conv_config(4, json{5, 3}, 1, "valid", false));
  EXPECT_EQ(valid.build(Shape{10, 6, 2}), (Shape{6, 4, 4}));
  EXPECT_EQ(valid.param_specs().size(), 1u);
}

TEST(Conv2dTest, InitialisesGlorotOrHeUniformWithZeroBias) {
  for (const char* init : {"glorot_uniform", "he_uniform"}) {
    json config = conv_config(16, 3, 1, "same");
    config["kernel_initializer"] = init;
    BoundLayer conv(config, Shape{8, 8, 4}, 11);
    const float fan_in = 3 * 3 * 4, fan_out = 3 * 3 * 16;
    const float limit = std::string(init) == "he_uniform" ? std::sqrt(6.0f / fan_in) : std::sqrt(6.0f / (fan_in + fan_out));
    float largest = 0.0f;
    for (float w : conv.params[0]) largest = std::max(largest, std::abs(w));
    EXPECT_LE(largest, limit) << init;
    EXPECT_GT(largest, 0.9f * limit) << init;  // 576 draws reach close to the limit
    for (float b : conv.params[1]) EXPECT_EQ(b, 0.0f);
    BoundLayer again(config, Shape{8, 8, 4}, 11);
    EXPECT_EQ(conv.params[0], again.params[0]) << "same seed, same weights";
  }
}

TEST(Conv2dTest, AcceptsIntOrPairSizesAndDefaults) {
  Conv2D conv(json{{"type", "conv2d"}, {"filters", 2}, {"kernel_size", json{3, 1}}});
  EXPECT_EQ(conv.kernel_size(), (IntPair{3, 1}));
  EXPECT_EQ(conv.strides(), (IntPair{1, 1}));
  EXPECT_EQ(conv.padding().kind, Padding::Kind::kValid);
  EXPECT_TRUE(conv.use_bias());
  EXPECT_EQ(conv.config()["strides"], json({1, 1}));
  EXPECT_EQ(conv.config()["padding"], "valid");
}

TEST(Conv2dTest, RejectsBadShapesAndConfigsWithClearMessages) {
  expect_layer_error(conv_config(4, 3, 1, "same"), Shape{128}, "conv2d expects an image [H, W, C] but got [128]");
  expect_layer_error(conv_config(4, 5, 1, "valid"), Shape{3, 3, 1},
               "conv2d: kernel 5 is larger than the input 3x3 with \"valid\" padding");
  expect_layer_error(conv_config(4, json{3, 2}, 1, "valid"), Shape{2, 8, 1}, "kernel 3x2 is larger than the input 2x8");
  expect_layer_error(conv_config(4, 3, 1, "full"), Shape{8, 8, 1},
                     "\"padding\" must be \"same\", \"valid\" or [[top, bottom], [left, right]] pixels, got \"full\"");
  json too_wide = conv_config(4, 3, 1, "valid");
  too_wide["padding"] = json{{3, 0}, {0, 0}};
  expect_layer_error(too_wide, Shape{8, 8, 1}, "conv2d: padding [[3,0],[0,0]] reaches past the kernel 3");
  expect_layer_error(conv_config(4, json{3}, 1, "same"), Shape{8, 8, 1}, "\"kernel_size\" must be a positive integer or a pair");
  expect_layer_error(conv_config(4, 0, 1, "same"), Shape{8, 8, 1}, "\"kernel_size\" must be a positive integer");
  expect_layer_error(conv_config(4, 3, -1, "same"), Shape{8, 8, 1}, "\"strides\" must be a positive integer");
  expect_layer_error(conv_config(0, 3, 1, "same"), Shape{8, 8, 1}, "conv2d: filters must be between 1 and 65536, got 0");
  expect_layer_error(json{{"type", "conv2d"}, {"kernel_size", 3}}, Shape{8, 8, 1}, "layer 'conv2d' needs \"filters\"");
  expect_layer_error(json{{"type", "conv2d"}, {"filters", 3}}, Shape{8, 8, 1}, "layer 'conv2d' needs \"kernel_size\"");
  expect_layer_error(json{{"type", "conv2d"}, {"filters", "8"}, {"kernel_size", 3}}, Shape{8, 8, 1},
               "\"filters\" has the wrong type");
  json fused = conv_config(4, 3, 1, "same");
  fused["activation"] = "relu";
  expect_layer_error(fused, Shape{8, 8, 1}, "add it as its own layer");
  json init = conv_config(4, 3, 1, "same");
  init["kernel_initializer"] = "zeros";
  expect_layer_error(init, Shape{8, 8, 1}, "\"kernel_initializer\" must be");
}

}  // namespace
}  // namespace distillery
