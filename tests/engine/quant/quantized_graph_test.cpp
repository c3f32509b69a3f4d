// Quantization of graph models (residual blocks, concatenations, global
// average pooling): BatchNorm folding keeps the function, the int8 forward
// tracks the float reference, the weight-only modes run the graph in float,
// and the quantized file round-trips bit-exactly.
#include <gtest/gtest.h>

#include <cmath>

#include "engine/core/rng.h"
#include "engine/metrics/metrics.h"
#include "engine/model/arch_spec.h"
#include "engine/quant/fold_batch_norm.h"
#include "engine/quant/quantized_json.h"
#include "engine/quant/quantized_model.h"
#include "engine/quant/logits_compare.h"

namespace distillery {
namespace {

using Json = nlohmann::json;

const Shape kImage{12, 12, 2};

// Non-trivial statistics and affine parameters in every BatchNorm, so folding has work to do.
void stir_batch_norms(Model& m) {
  Rng rng(99);
  for (int i = 0; i < m.num_layers(); ++i) {
    if (m.layer(i).type() != "batch_norm") continue;
    for (int r : m.param_refs_of_layer(i)) {
      const ParamRef& ref = m.params().refs[size_t(r)];
      for (int64_t k = 0; k < ref.size(); ++k) {
        float& v = m.params().values[size_t(ref.offset + k)];
        if (ref.spec.name == "gamma") v = rng.uniform(0.5f, 1.5f);
        if (ref.spec.name == "beta") v = rng.uniform(-0.3f, 0.3f);
        if (ref.spec.name == "moving_mean") v = rng.uniform(-0.2f, 0.2f);
        if (ref.spec.name == "moving_variance") v = rng.uniform(0.5f, 2.0f);
      }
    }
  }
}

Model from_spec(const std::string& spec, uint64_t seed) {
  Rng rng(seed);
  Model m = Model::from_layer_configs(parse_arch_spec(spec, 10, kImage.rank()), kImage, rng);
  stir_batch_norms(m);
  for (float& v : m.params().values) v *= 1.3f;  // logits that separate the classes
  return m;
}

Tensor images(int n, uint64_t seed) {
  Rng rng(seed);
  Tensor t(kImage.with_batch(n));
  for (int64_t i = 0; i < t.size(); ++i) t[i] = rng.uniform() * rng.uniform();
  return t;
}

int count_type(const Model& m, const std::string& type) {
  int n = 0;
  for (int i = 0; i < m.num_layers(); ++i) n += m.layer(i).type() == type;
  return n;
}

// An identity block (res:8 after 8 channels) and a projection block (res:16:2).
const char* kResNet = "conv:8:3,res:8,res:16:2,gap";

TEST(QuantizedGraph, BatchNormFoldingOnAResidualGraphKeepsTheFunction) {
  Model model = from_spec(kResNet, 1);
  ASSERT_FALSE(model.is_chain());
  ASSERT_EQ(count_type(model, "batch_norm"), 5);
  const Tensor x = images(40, 2);
  Model folded = fold_batch_norms(model);
  // Every BatchNorm reads a conv that only it reads: all five fold, the adds now read the convs.
  EXPECT_EQ(count_type(folded, "batch_norm"), 0);
  EXPECT_EQ(folded.num_layers(), model.num_layers() - 5);
  EXPECT_FALSE(folded.is_chain());
  EXPECT_LT(relative_error(folded.predict_logits(x), model.predict_logits(x)), 1e-5);
}

TEST(QuantizedGraph, ABatchNormAfterAKernelOthersAlsoReadStaysAndKeepsTheFunction) {
  // c's output goes to the BatchNorm and to the add: folding would change what the add sees.
  std::vector<Json> layers = {
      {{"type", "conv2d"}, {"name", "c"}, {"filters", 4}, {"kernel_size", 3}, {"padding", "same"}},
      {{"type", "batch_norm"}, {"name", "bn"}, {"inputs", {"c"}}},
      {{"type", "add"}, {"name", "sum"}, {"inputs", {"bn", "c"}}},
      {{"type", "global_avg_pool2d"}},
      {{"type", "dense"}, {"units", 10}}};
  Rng rng(3);
  Model model = Model::from_layer_configs(layers, kImage, rng);
  stir_batch_norms(model);
  Model folded = fold_batch_norms(model);
  EXPECT_EQ(count_type(folded, "batch_norm"), 1);
  const Tensor x = images(20, 4);
  EXPECT_LT(relative_error(folded.predict_logits(x), model.predict_logits(x)), 1e-6);
  // And the int8 forward runs the kept BatchNorm as a float layer between int8 ones.
  QuantizedModel q = quantize_model(model, images(100, 5), {QuantMode::Int8});
  EXPECT_LT(relative_error(q.predict_logits(x), model.predict_logits(x)), 0.1);
}

TEST(QuantizedGraph, Int8ResidualGraphTracksTheFloatModel) {
  Model model = from_spec(kResNet, 1);
  const Tensor calibration = images(200, 5), test = images(200, 6);
  QuantizedModel q = quantize_model(model, calibration, {QuantMode::Int8});
  // One range per layer output of the folded model, plus the input.
  EXPECT_EQ(q.activations().size(), size_t(q.reference().num_layers()) + 1);
  const Tensor want = model.predict_logits(test);
  const Tensor got = q.predict_logits(test);
  EXPECT_LT(relative_error(got, want), 0.08);
  EXPECT_GE(agreement(got, want), 0.9);
  // No cross-sample state: a batch of one gives the same logits.
  Tensor one(kImage.with_batch(1));
  std::copy(test.data(), test.data() + one.size(), one.data());
  const Tensor& single = q.forward(one);
  for (int j = 0; j < 10; ++j) EXPECT_EQ(single[j], got[j]);
}

TEST(QuantizedGraph, Int8ConcatenationOfBranchesWithDifferentRangesTracksTheFloatModel) {
  // Two branches of different scales (the second's kernel is 4x), joined, pooled, classified.
  std::vector<Json> layers = {
      {{"type", "conv2d"}, {"name", "a"}, {"filters", 4}, {"kernel_size", 3}, {"padding", "same"}, {"inputs", {"input"}}},
      {{"type", "relu"}, {"name", "a_relu"}, {"inputs", {"a"}}},
      {{"type", "conv2d"}, {"name", "b"}, {"filters", 6}, {"kernel_size", 1}, {"inputs", {"input"}}},
      {{"type", "concatenate"}, {"name", "join"}, {"inputs", {"a_relu", "b"}}},
      {{"type", "conv2d"}, {"name", "c"}, {"filters", 8}, {"kernel_size", 3}, {"strides", 2}, {"inputs", {"join"}}},
      {{"type", "relu"}, {"name", "c_relu"}, {"inputs", {"c"}}},
      {{"type", "global_avg_pool2d"}, {"name", "gap"}, {"inputs", {"c_relu"}}},
      {{"type", "dense"}, {"name", "logits"}, {"units", 10}, {"inputs", {"gap"}}}};
  Rng rng(8);
  Model model = Model::from_layer_configs(layers, kImage, rng);
  for (float& v : model.params().values) v *= 1.5f;
  for (int r : model.param_refs_of_layer(2)) {
    const ParamRef& ref = model.params().refs[size_t(r)];
    for (int64_t k = 0; k < ref.size(); ++k) model.params().values[size_t(ref.offset + k)] *= 4.0f;
  }
  QuantizedModel q = quantize_model(model, images(200, 9), {QuantMode::Int8});
  EXPECT_GT(q.activations()[3].scale, 2.0f * q.activations()[2].scale);  // b's range is wider than a_relu's
  const Tensor test = images(200, 10);
  const Tensor want = model.predict_logits(test);
  const Tensor got = q.predict_logits(test);
  EXPECT_LT(relative_error(got, want), 0.08);
  EXPECT_GE(agreement(got, want), 0.9);
}

TEST(QuantizedGraph, AnAddOfALayerWithItselfTracksTheLayerDoubled) {
  // add(c, c) reads one buffer twice (and frees it once): the model's output
  // must still be that of 2c, and the add's calibrated range twice c's.
  std::vector<Json> layers = {
      {{"type", "conv2d"}, {"name", "c"}, {"filters", 4}, {"kernel_size", 3}, {"padding", "same"}},
      {{"type", "add"}, {"name", "twice"}, {"inputs", {"c", "c"}}},
      {{"type", "global_avg_pool2d"}},
      {{"type", "dense"}, {"units", 10}}};
  Rng rng(12);
  Model model = Model::from_layer_configs(layers, kImage, rng);
  const Tensor calibration = images(100, 13);
  QuantizedModel q = quantize_model(model, calibration, {QuantMode::Int8});
  const Tensor test = images(50, 14);
  const Tensor want = model.predict_logits(test), got = q.predict_logits(test);
  EXPECT_LT(relative_error(got, want), 0.05);
  EXPECT_GE(agreement(got, want), 0.9);
  // The add's range holds the doubled conv's: twice c's, up to widening for zero.
  const ActivationQuant& c = q.activations()[1];
  const ActivationQuant& sum = q.activations()[2];
  EXPECT_NEAR(sum.max, 2.0f * c.max, 1e-4f * std::fabs(c.max) + 1e-6f);
  EXPECT_NEAR(sum.min, 2.0f * c.min, 1e-4f * std::fabs(c.min) + 1e-6f);
}

TEST(QuantizedGraph, WeightOnlyModesRunTheGraphInFloat) {
  Model model = from_spec(kResNet, 2);
  const Tensor test = images(60, 7);
  const Tensor want = model.predict_logits(test);
  for (QuantMode mode : {QuantMode::Int8Weights, QuantMode::Float16}) {
    SCOPED_TRACE(quant_mode_name(mode));
    QuantizedModel q = quantize_model(model, images(1, 1), {mode});
    Model reference = q.reference().clone();
    const Tensor got = q.predict_logits(test);
    EXPECT_EQ(got.values(), reference.predict_logits(test).values());
    EXPECT_LT(relative_error(got, want), mode == QuantMode::Float16 ? 0.01 : 0.05);
    EXPECT_LT(q.weight_bytes(), float32_weight_bytes(model));
  }
}

TEST(QuantizedGraph, AQuantizedGraphFileRoundTripsBitExactly) {
  Model model = from_spec(kResNet, 3);
  for (int c = 0; c < 10; ++c) model.class_names.push_back("class" + std::to_string(c));
  for (QuantMode mode : {QuantMode::Int8, QuantMode::Int8Weights, QuantMode::Float16}) {
    SCOPED_TRACE(quant_mode_name(mode));
    QuantizedModel q = quantize_model(model, images(64, 1), {mode});
    const std::string text = save_quantized_model_json(q, {WeightsEncoding::kBase64, 1});
    // Version 3 (graph) rather than 2: a reader that knows quantized chains only must refuse it.
    EXPECT_EQ(Json::parse(text)["version"], 3);
    QuantizedModel again = load_quantized_model_json(text);
    EXPECT_FALSE(again.reference().is_chain());
    EXPECT_EQ(save_quantized_model_json(again, {WeightsEncoding::kBase64, 1}), text);
    const Tensor x = images(9, 2);
    EXPECT_EQ(q.predict_logits(x).values(), again.predict_logits(x).values());
  }
}

TEST(QuantizedGraph, DepthwiseStudentsQuantizeAsFloat16AndTheInt8ModesNameTheLayer) {
  Model model = from_spec("conv:8:3,mbconv:8:2,mbconv:12:2:2,gap", 4);
  const Tensor test = images(30, 3);
  QuantizedModel half = quantize_model(model, images(1, 1), {QuantMode::Float16});
  EXPECT_LT(relative_error(half.predict_logits(test), model.predict_logits(test)), 0.01);
  try {
    quantize_model(model, images(20, 1), {QuantMode::Int8});
    FAIL() << "int8 took a depthwise conv";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("depthwise_conv2d"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("float16"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace distillery
