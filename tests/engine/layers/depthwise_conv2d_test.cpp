// DepthwiseConv2D: hand-computed values, finite-difference gradients (input and
// weights, both paddings, strides 1 and 2), equality with a conv2d whose kernel
// is block-diagonal, refused configs, and the paths it takes part in: the dwconv
// token, TF.js and ONNX both ways, structured pruning through it, quantization.
#include <gtest/gtest.h>

#include "engine/gradient_check.h"
#include "engine/io/onnx_export.h"
#include "engine/io/onnx_import.h"
#include "engine/io/onnx_model.h"
#include "engine/io/tfjs_export.h"
#include "engine/io/tfjs_import.h"
#include "engine/io/tfjs_test_util.h"
#include "engine/layers/bound_layer.h"
#include "engine/model/arch_spec.h"
#include "engine/prune/structured.h"
#include "engine/quant/quantized_model.h"

namespace distillery {
namespace {

using nlohmann::json;
using test::BoundLayer;
using test::make_tensor;
using test::random_tensor;

json dwconv(json kernel, int stride, const std::string& padding, bool use_bias = true) {
  return {{"type", "depthwise_conv2d"}, {"kernel_size", kernel}, {"strides", stride},
          {"padding", padding},         {"use_bias", use_bias},  {"depth_multiplier", 1}};
}

TEST(DepthwiseConv2dTest, EachChannelHasItsOwnFilter) {
  // 3x3 image, 2 channels; a 2x2 valid filter per channel.
  BoundLayer layer(dwconv(2, 1, "valid"), Shape{3, 3, 2});
  ASSERT_EQ(layer.output_shape, (Shape{2, 2, 2}));
  // Kernel [2, 2, 2, 1]: channel 0 sums its window, channel 1 takes top-left minus bottom-right.
  layer.params[0] = {1, 1, 1, 0, 1, 0, 1, -1};
  layer.params[1] = {0.5f, 10.0f};
  // Channel 0 holds 1..9, channel 1 holds 10, 20, ..., 90 (row-major).
  std::vector<float> pixels;
  for (int p = 1; p <= 9; ++p) pixels.insert(pixels.end(), {float(p), float(10 * p)});
  const Tensor out = layer.forward(make_tensor(Shape{1, 3, 3, 2}, pixels));
  EXPECT_EQ(out.values(), (std::vector<float>{1 + 2 + 4 + 5 + 0.5f, 10 - 50 + 10.0f, 2 + 3 + 5 + 6 + 0.5f, 20 - 60 + 10.0f,
                                              4 + 5 + 7 + 8 + 0.5f, 40 - 80 + 10.0f, 5 + 6 + 8 + 9 + 0.5f,
                                              50 - 90 + 10.0f}));
  EXPECT_EQ(layer.layer->flops_per_sample(), 2 * 4 * 4 * 2);  // 4 positions, 4 taps, 2 channels
}

TEST(DepthwiseConv2dTest, GradientsMatchFiniteDifferences) {
  for (const char* padding : {"valid", "same"})
    for (int stride : {1, 2})
      for (const json& kernel : {json(3), json::array({2, 3})}) {
        SCOPED_TRACE(std::string(padding) + " stride " + std::to_string(stride) + " kernel " + kernel.dump());
        // 22 channels: a 16-channel register block, then a tail of 6 (one f32x4 and two
        // single lanes in WebAssembly), so every path of the kernels is checked.
        LayerPtr layer = LayerRegistry::instance().create(dwconv(kernel, stride, padding));
        EXPECT_TRUE(test::check_layer_gradients(*layer, Shape{5, 6, 22}));
      }
  LayerPtr no_bias = LayerRegistry::instance().create(dwconv(3, 1, "same", false));
  EXPECT_TRUE(test::check_layer_gradients(*no_bias, Shape{4, 4, 8}));
}

// A conv2d with F = C filters whose kernel is zero except k[y, x, c, c] = the
// depthwise filter of channel c computes the same function.
TEST(DepthwiseConv2dTest, EqualsAConv2dWithABlockDiagonalKernel) {
  const int c = 22;  // a 16-channel block and a tail of 6, as in the gradient check
  for (const char* padding : {"valid", "same"})
    for (int stride : {1, 2}) {
      SCOPED_TRACE(std::string(padding) + " stride " + std::to_string(stride));
      const Shape input{7, 6, c};
      BoundLayer dw(dwconv(json::array({3, 2}), stride, padding), input, 11);
      json conv_config = dwconv(json::array({3, 2}), stride, padding);
      conv_config["type"] = "conv2d";
      conv_config.erase("depth_multiplier");
      conv_config["filters"] = c;
      BoundLayer conv(conv_config, input);
      ASSERT_EQ(conv.output_shape, dw.output_shape);
      Rng rng(5);
      for (float& b : dw.params[1]) b = rng.uniform(-1.0f, 1.0f);
      std::fill(conv.params[0].begin(), conv.params[0].end(), 0.0f);
      for (int tap = 0; tap < 3 * 2; ++tap)
        for (int ch = 0; ch < c; ++ch) conv.params[0][(tap * c + ch) * c + ch] = dw.params[0][tap * c + ch];
      conv.params[1] = dw.params[1];

      const Tensor x = random_tensor(input.with_batch(3), 8);
      const Tensor y_dw = dw.forward(x), y_conv = conv.forward(x);
      ASSERT_EQ(y_dw.shape(), y_conv.shape());
      for (int64_t i = 0; i < y_dw.size(); ++i) ASSERT_NEAR(y_dw[i], y_conv[i], 1e-5f) << i;

      const Tensor dy = random_tensor(y_dw.shape(), 9);
      Tensor dx_dw, dx_conv;
      dw.layer->backward(x, y_dw, dy, dx_dw);
      conv.layer->backward(x, y_conv, dy, dx_conv);
      for (int64_t i = 0; i < dx_dw.size(); ++i) ASSERT_NEAR(dx_dw[i], dx_conv[i], 1e-5f) << i;
      for (int tap = 0; tap < 3 * 2; ++tap)
        for (int ch = 0; ch < c; ++ch)
          ASSERT_NEAR(dw.grads[0][tap * c + ch], conv.grads[0][(tap * c + ch) * c + ch], 1e-4f);
      for (int ch = 0; ch < c; ++ch) ASSERT_NEAR(dw.grads[1][ch], conv.grads[1][ch], 1e-4f);
    }
}

TEST(DepthwiseConv2dTest, BadConfigsAreRefusedByName) {
  json multiplier = dwconv(3, 1, "same");
  multiplier["depth_multiplier"] = 2;
  test::expect_layer_error(multiplier, Shape{4, 4, 2}, "depth_multiplier 2 is not supported (only 1");
  json activation = dwconv(3, 1, "same");
  activation["activation"] = "relu";
  test::expect_layer_error(activation, Shape{4, 4, 2}, "add it as its own layer");
  test::expect_layer_error(dwconv(3, 1, "same"), Shape{12}, "depthwise_conv2d expects an image");
  test::expect_layer_error(dwconv(5, 1, "valid"), Shape{4, 4, 2}, "kernel 5 is larger than the input 4x4");
}

std::vector<std::string> types_of(const Model& model) {
  std::vector<std::string> types;
  for (const json& c : model.layer_configs()) types.push_back(c["type"]);
  return types;
}

Model spec_model(const std::string& spec, uint64_t seed = 5) {
  Rng rng(seed);
  Model model = Model::from_layer_configs(parse_arch_spec(spec, 3), Shape{8, 8, 2}, rng);
  for (float& v : model.params().values) v += rng.uniform(-0.2f, 0.2f);  // biases matter too
  return model;
}

TEST(DepthwiseConv2dTest, TheDwconvTokenHasSamePaddingAnOptionalStrideAndNoActivation) {
  const Model model = spec_model("conv:4:3,dwconv:3,bn,relu6,dwconv:3x1:2,dwconv:3:valid,gap");
  EXPECT_EQ(types_of(model), (std::vector<std::string>{"conv2d", "relu", "depthwise_conv2d", "batch_norm", "relu6",
                                                       "depthwise_conv2d", "depthwise_conv2d", "global_avg_pool2d",
                                                       "dense"}));
  EXPECT_EQ(model.layer_configs()[2]["padding"], "same");
  EXPECT_EQ(model.layer(5).output_shape(), (Shape{4, 4, 4}));  // stride 2, same
  EXPECT_EQ(model.layer(6).output_shape(), (Shape{2, 2, 4}));  // 3x3 valid
  EXPECT_EQ(describe_arch(model), "conv:4:3,dwconv:3,bn,relu6,dwconv:3x1:2,dwconv:3:valid,gap");
  test::expect_error([] { parse_arch_spec("dense:4,dwconv:3", 3); }, {"'dwconv:3' at position 2", "after a flat"});
  test::expect_error([] { parse_arch_spec("dwconv:3:relu", 3); }, {"'dwconv:3:relu' at position 1", "STRIDE"});
}

void expect_same_outputs(Model& a, Model& b, const Shape& input) {
  const Tensor x = random_tensor(input.with_batch(3), 21);
  const std::vector<float> want = a.forward(x, false).values();
  const std::vector<float> got = b.forward(x, false).values();
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-5f) << i;
}

TEST(DepthwiseConv2dTest, ExportsToTfjsAsDepthwiseConv2DAndImportsBack) {
  Model model = spec_model("conv:4:3,dwconv:3:2,relu6,dwconv:3:valid,dense:5");
  const TfjsModelFiles files = export_tfjs_model(model, "weights.bin");
  const json doc = json::parse(files.model_json);
  const json& layers = doc["modelTopology"]["config"]["layers"];
  EXPECT_EQ(layers[1]["class_name"], "DepthwiseConv2D");
  EXPECT_EQ(layers[1]["config"]["depth_multiplier"], 1);
  EXPECT_EQ(layers[1]["config"]["strides"], json::array({2, 2}));
  EXPECT_EQ(doc["weightsManifest"][0]["weights"][2]["name"], "depthwise_conv2d_1/depthwise_kernel");
  EXPECT_EQ(doc["weightsManifest"][0]["weights"][2]["shape"], json::array({3, 3, 4, 1}));
  Model back = import_tfjs_model(files.model_json, {files.weights}, {});
  EXPECT_EQ(types_of(back), types_of(model));
  expect_same_outputs(model, back, Shape{8, 8, 2});
}

TEST(DepthwiseConv2dTest, ImportsKerasDepthwiseConv2DWithItsActivationAndRefusesAMultiplier) {
  auto keras = [](int multiplier) {
    test::TfjsModelBuilder b({5, 5, 3});
    b.layer("DepthwiseConv2D", "depthwise_conv2d_DepthwiseConv2D1",
            {{"kernel_size", {3, 3}},
             {"strides", {1, 1}},
             {"padding", "same"},
             {"data_format", "channels_last"},
             {"dilation_rate", {1, 1}},
             {"depth_multiplier", multiplier},
             {"activation", "relu6"},
             {"use_bias", true}});
    b.layer("Flatten", "flatten_Flatten1");
    b.layer("Dense", "dense_Dense1", {{"units", 2}, {"activation", "softmax"}});
    Rng rng(2);
    b.weight("depthwise_conv2d_DepthwiseConv2D1/depthwise_kernel", {3, 3, 3, multiplier}, rng);
    b.weight("depthwise_conv2d_DepthwiseConv2D1/bias", {3 * multiplier}, rng);
    b.weight("dense_Dense1/kernel", {75 * multiplier, 2}, rng);
    b.weight("dense_Dense1/bias", {2}, rng);
    return b;
  };
  const test::TfjsModelBuilder one = keras(1);
  Model m = import_tfjs_model(one.model_json(), one.shards(), {});
  EXPECT_EQ(types_of(m), (std::vector<std::string>{"depthwise_conv2d", "relu6", "flatten", "dense"}));
  EXPECT_EQ(m.params().values[0], one.weights[0].values[0]);  // the kernel, by its Keras name
  const test::TfjsModelBuilder two = keras(2);
  test::expect_error([&] { import_tfjs_model(two.model_json(), two.shards(), {}); },
                     {"depthwise_conv2d_DepthwiseConv2D1", "depth_multiplier 2 is not supported"});
}

TEST(DepthwiseConv2dTest, ExportsToOnnxAsAConvWithOneGroupPerChannelAndImportsBack) {
  Model model = spec_model("conv:4:3,dwconv:3:2,relu6,dwconv:2x3:valid,dense:5");
  for (float& w : model.params().values) w *= 4.0f;  // some activations pass 6
  const std::vector<uint8_t> bytes = export_onnx_model(model);
  const OnnxModel onnx = decode_onnx_model(bytes);
  std::vector<std::string> ops;
  for (const OnnxNode& n : onnx.graph.nodes) ops.push_back(n.op_type);
  EXPECT_EQ(ops, (std::vector<std::string>{"Conv", "Relu", "Conv", "Clip", "Conv", "Flatten", "Gemm", "Relu", "Gemm",
                                           "Softmax"}));
  const OnnxNode& depthwise = onnx.graph.nodes[2];
  EXPECT_EQ(depthwise.attribute("group")->i, 4);
  for (const OnnxTensor& t : onnx.graph.initializers) {
    if (t.name == depthwise.inputs[1]) {
      EXPECT_EQ(t.dims, (std::vector<int64_t>{4, 1, 3, 3}));
    }
  }
  EXPECT_EQ(onnx.graph.nodes[3].inputs.size(), 3u);  // Clip's min and max as inputs (opset 11+)
  Model back = import_onnx_model(bytes);
  EXPECT_EQ(types_of(back), types_of(model));
  expect_same_outputs(model, back, Shape{8, 8, 2});
}

float* param(Model& model, int layer, const std::string& name) {
  for (int r : model.param_refs_of_layer(layer))
    if (model.params().refs[r].spec.name == name) return model.params().values.data() + model.params().refs[r].offset;
  throw Error("layer " + std::to_string(layer) + " has no " + name);
}

// conv -> dwconv -> conv: the channels the first conv loses leave the depthwise
// filters and biases and the second conv's inputs; when those channels were
// zero all along, the smaller model computes the same function.
TEST(DepthwiseConv2dTest, StructuredPruningRemovesTheChannelsFromAllThreeLayers) {
  Model model = spec_model("conv:6:3,dwconv:3,relu6,conv:5:3,gap");
  const int c = 6;
  for (int dead : {1, 4}) {
    for (int64_t t = 0; t < 3 * 3 * 2; ++t) param(model, 0, "kernel")[t * c + dead] = 0.0f;
    param(model, 0, "bias")[dead] = 0.0f;
    param(model, 2, "bias")[dead] = 0.0f;  // else the depthwise bias alone would feed the next conv
  }
  std::vector<int> keep(static_cast<size_t>(model.num_layers()), -1);
  keep[0] = 4;  // only the first conv is pruned: the second keeps its 5 filters
  const StructuredPlan plan = plan_structured(model, keep, NormCriterion::l1);
  EXPECT_EQ(plan.kept_outputs[0], (std::vector<int>{0, 2, 3, 5}));
  EXPECT_EQ(plan.kept_inputs[2], plan.kept_outputs[0]);
  Model small = shrink_model(model, plan);
  EXPECT_EQ(small.layer(2).param_specs()[0].shape, (Shape{3, 3, 4, 1}));
  EXPECT_EQ(small.layer(2).param_specs()[1].shape, (Shape{4}));
  EXPECT_EQ(small.layer(4).param_specs()[0].shape, (Shape{3, 3, 4, 5}));
  EXPECT_EQ(small.parameter_count(), model.parameter_count() - 2 * (18 + 1) - 2 * (9 + 1) - 2 * 9 * 5);
  // Kept channel 3 is channel 2 of the small model: its depthwise filter and bias moved with it.
  for (int t = 0; t < 9; ++t) EXPECT_EQ(param(small, 2, "depthwise_kernel")[t * 4 + 2], param(model, 2, "depthwise_kernel")[t * 6 + 3]);
  EXPECT_EQ(param(small, 2, "bias")[2], param(model, 2, "bias")[3]);
  expect_same_outputs(model, small, Shape{8, 8, 2});
  // With live channels removed, the masked model is what the small one computes.
  Model live = spec_model("conv:6:3,dwconv:3,relu6,conv:5:3,gap", 9);
  const StructuredPlan half = plan_structured(live, structured_keep_counts(live, 0.5f), NormCriterion::l2);
  Model live_small = shrink_model(live, half);
  Model masked = masked_equivalent(live, half);
  expect_same_outputs(masked, live_small, Shape{8, 8, 2});
}

TEST(DepthwiseConv2dTest, Int8QuantizationRefusesItByNameAndFloat16Works) {
  Model model = spec_model("conv:4:3,dwconv:3,gap");
  const Tensor calibration = random_tensor(Shape{8, 8, 2}.with_batch(4), 3);
  for (QuantMode mode : {QuantMode::Int8, QuantMode::Int8Weights})
    test::expect_error([&] { quantize_model(model, calibration, {mode}); },
                       {"layer 2 (depthwise_conv2d) has no int8 form yet", "float16"});
  QuantizedModel half = quantize_model(model, calibration, {QuantMode::Float16});
  EXPECT_EQ(half.mode(), QuantMode::Float16);
}

}  // namespace
}  // namespace distillery
