// QuantizedModel end to end on small random models: the int8 forward tracks
// the float model it stands for, BatchNorm folding is exact, masks survive,
// the weight-only modes round weights as promised, and bad calibration sets
// are refused.
#include <gtest/gtest.h>

#include <cmath>

#include "engine/data/test_util.h"
#include "engine/core/rng.h"
#include "engine/metrics/metrics.h"
#include "engine/model/arch_spec.h"
#include "engine/quant/fold_batch_norm.h"
#include "engine/quant/quantized_model.h"
#include "engine/quant/logits_compare.h"

namespace distillery {
namespace {

Model build(const std::string& spec, const Shape& input, uint64_t seed = 1) {
  Rng rng(seed);
  return Model::from_layer_configs(parse_arch_spec(spec, 10, input.rank()), input, rng);
}

// Inputs in [0, 1] like preprocessed pixels, with some structure so activations vary.
Tensor random_inputs(const Shape& input, int n, uint64_t seed) {
  Rng rng(seed);
  Tensor t(input.with_batch(n));
  for (int64_t i = 0; i < t.size(); ++i) t[i] = rng.uniform() * rng.uniform();
  return t;
}

const ParamRef& param(const Model& m, int layer, const std::string& name) {
  for (int r : m.param_refs_of_layer(layer))
    if (m.params().refs[size_t(r)].spec.name == name) return m.params().refs[size_t(r)];
  throw Error("no " + name);
}

// Random models have tiny logits; give the last layer real weight so the classes differ.
void sharpen(Model& m) {
  for (float& v : m.params().values) v *= 1.5f;
}

TEST(QuantizedModel, Int8MlpTracksTheFloatModel) {
  Model model = build("dense:64,dense:32", Shape{48});
  sharpen(model);
  const Tensor calibration = random_inputs(Shape{48}, 300, 2);
  QuantizedModel q = quantize_model(model, calibration, {QuantMode::Int8});
  const Tensor test = random_inputs(Shape{48}, 200, 3);
  const Tensor want = model.predict_logits(test);
  const Tensor got = q.predict_logits(test);
  EXPECT_LT(relative_error(got, want), 0.05);
  EXPECT_GE(agreement(got, want), 0.9);
  // The int8 path is not the float one in disguise: its logits differ from
  // the dequantized-weights float model's (activations are rounded too).
  Model& reference = const_cast<Model&>(q.reference());
  EXPECT_GT(relative_error(got, reference.predict_logits(test)), 0.0);
}

TEST(QuantizedModel, Int8CnnWithBatchNormTracksTheFloatModel) {
  std::vector<nlohmann::json> layers = {
      {{"type", "conv2d"}, {"filters", 6}, {"kernel_size", 3}, {"padding", "same"}},
      {{"type", "batch_norm"}},
      {{"type", "relu"}},
      {{"type", "maxpool2d"}, {"pool_size", 2}},
      {{"type", "conv2d"}, {"filters", 8}, {"kernel_size", 3}, {"padding", "valid"}, {"strides", 2}},
      {{"type", "relu"}},
      {{"type", "flatten"}},
      {{"type", "dense"}, {"units", 16}},
      {{"type", "tanh"}},  // no integer kernel: runs as a float layer between int8 ones
      {{"type", "dense"}, {"units", 10}}};
  Rng rng(4);
  Model model = Model::from_layer_configs(layers, Shape{12, 12, 2}, rng);
  // Non-trivial batch-norm statistics.
  const ParamRef& mean = param(model, 1, "moving_mean");
  const ParamRef& var = param(model, 1, "moving_variance");
  const ParamRef& gamma = param(model, 1, "gamma");
  for (int c = 0; c < 6; ++c) {
    model.params().values[size_t(mean.offset + c)] = 0.1f * float(c) - 0.2f;
    model.params().values[size_t(var.offset + c)] = 0.5f + 0.3f * float(c);
    model.params().values[size_t(gamma.offset + c)] = 1.5f - 0.2f * float(c);
  }
  sharpen(model);
  const Tensor calibration = random_inputs(Shape{12, 12, 2}, 200, 5);
  const Tensor test = random_inputs(Shape{12, 12, 2}, 100, 6);

  Model folded = fold_batch_norms(model);
  EXPECT_EQ(folded.num_layers(), model.num_layers() - 1);
  EXPECT_LT(relative_error(folded.predict_logits(test), model.predict_logits(test)), 1e-5);

  QuantizedModel q = quantize_model(model, calibration, {QuantMode::Int8});
  const Tensor want = model.predict_logits(test);
  const Tensor got = q.predict_logits(test);
  EXPECT_LT(relative_error(got, want), 0.08);
  EXPECT_GE(agreement(got, want), 0.85);
  // Batch 1 gives the same logits as the big batch (no cross-sample state).
  Tensor one(Shape{1, 12, 12, 2});
  std::copy(test.data(), test.data() + one.size(), one.data());
  const Tensor& single = q.forward(one);
  for (int j = 0; j < 10; ++j) EXPECT_EQ(single[j], got[j]);
}

TEST(QuantizedModel, PrunedZerosStayExactlyZero) {
  Model model = build("dense:32", Shape{40});
  ParamStore& p = model.params();
  const ParamRef& kernel = param(model, 0, "kernel");
  for (int64_t k = 0; k < kernel.size(); k += 3) {  // prune every third weight
    p.masks[size_t(kernel.offset + k)] = 0.0f;
    p.values[size_t(kernel.offset + k)] = 0.0f;
  }
  for (QuantMode mode : {QuantMode::Int8, QuantMode::Int8Weights, QuantMode::Float16}) {
    QuantizedModel q = quantize_model(model, random_inputs(Shape{40}, 50, 8), {mode});
    const ParamStore& qp = q.reference().params();
    const ParamRef& qk = param(q.reference(), 0, "kernel");
    for (int64_t k = 0; k < qk.size(); ++k) {
      const bool pruned = k % 3 == 0;
      EXPECT_EQ(qp.masks[size_t(qk.offset + k)], pruned ? 0.0f : 1.0f);
      if (!pruned) continue;
      EXPECT_EQ(qp.values[size_t(qk.offset + k)], 0.0f) << quant_mode_name(mode);
      if (mode != QuantMode::Float16) {
        EXPECT_EQ(q.layers()[0].kernel.values[size_t(k)], 0);
      }
    }
  }
}

TEST(QuantizedModel, WeightOnlyModesRoundTheWeightsAndComputeInFloat) {
  Model model = build("conv:4:3,pool:2,dense:16", Shape{10, 10, 1});
  const Tensor test = random_inputs(Shape{10, 10, 1}, 20, 9);
  const Tensor none(Shape{0, 10, 10, 1});  // weight-only modes need no calibration

  QuantizedModel w8 = quantize_model(model, none, {QuantMode::Int8Weights});
  Model& ref8 = const_cast<Model&>(w8.reference());
  const Tensor float_compute = ref8.predict_logits(test);
  const Tensor got8 = w8.predict_logits(test);
  for (int64_t i = 0; i < got8.size(); ++i) EXPECT_EQ(got8[i], float_compute[i]);
  const ParamRef& kernel = param(model, 0, "kernel");
  const auto& scales = w8.layers()[0].kernel.scales;
  for (int64_t k = 0; k < kernel.size(); ++k)
    EXPECT_LE(std::fabs(ref8.params().values[size_t(kernel.offset + k)] - model.params().values[size_t(kernel.offset + k)]),
              0.5f * scales[size_t(k % 4)] * 1.0001f);
  EXPECT_LT(relative_error(got8, model.predict_logits(test)), 0.05);

  QuantizedModel h = quantize_model(model, none, {QuantMode::Float16});
  for (size_t i = 0; i < model.params().values.size(); ++i)
    EXPECT_EQ(h.reference().params().values[i], round_to_half(model.params().values[i]));
  EXPECT_EQ(h.weight_bytes() * 2, float32_weight_bytes(model));
  EXPECT_LT(w8.weight_bytes() * 3, float32_weight_bytes(model));
}

TEST(QuantizedModel, PercentileCalibrationClipsOutliers) {
  Model model = build("dense:8", Shape{16});
  Tensor calibration = random_inputs(Shape{16}, 400, 10);
  calibration[5] = 50.0f;  // one wild input value
  QuantizeOptions minmax{QuantMode::Int8};
  QuantizeOptions percentile{QuantMode::Int8, CalibrationMethod::Percentile, 99.9};
  const QuantizedModel a = quantize_model(model, calibration, minmax);
  const QuantizedModel b = quantize_model(model, calibration, percentile);
  EXPECT_EQ(a.activations()[0].max, 50.0f);
  EXPECT_LT(b.activations()[0].max, 1.0f);
  EXPECT_EQ(b.calibration().samples, 400);
}

TEST(QuantizedModel, PercentileSamplesSeeEveryChannel) {
  // 2^18 samples of 8 channels: past the sample cap, so every few values are kept. The odd
  // channels hold the large values; a stride that is a multiple of 2 would never see them.
  Model model = build("dense:4", Shape{8});
  Tensor calibration(Shape{1 << 18, 8});
  for (int64_t i = 0; i < calibration.size(); ++i) calibration[i] = (i % 2) ? 10.0f * float(i % 7) / 6.0f : 0.5f;
  const QuantizedModel q =
      quantize_model(model, calibration, {QuantMode::Int8, CalibrationMethod::Percentile, 100.0});
  EXPECT_GT(q.activations()[0].max, 5.0f);
}

TEST(QuantizedModel, BadCalibrationSetsAreRefused) {
  Model model = build("dense:8", Shape{16});
  EXPECT_ERROR_WITH(quantize_model(model, random_inputs(Shape{15}, 10, 1), {QuantMode::Int8}),
                    "calibration set has samples of shape [15]", "model takes [16]");
  EXPECT_ERROR_WITH(quantize_model(model, Tensor(Shape{0, 16}), {QuantMode::Int8}), "calibration set is empty");
  Model cnn = build("conv:2:3,dense:4", Shape{8, 8, 1});
  EXPECT_ERROR_WITH(quantize_model(cnn, random_inputs(Shape{8, 8, 3}, 4, 1), {QuantMode::Int8}),
                    "[8, 8, 3]", "[8, 8, 1]");
}

TEST(QuantizedModel, AssembleRefusesBadScales) {
  Model model = build("dense:8", Shape{16});
  QuantizedModel q = quantize_model(model, random_inputs(Shape{16}, 20, 1), {QuantMode::Int8});
  auto layers = q.layers();
  ASSERT_TRUE(layers[2].has_int8_kernel);  // dense:8, relu, dense:10
  layers[2].kernel.scales[3] = 0.0f;
  EXPECT_ERROR_WITH(QuantizedModel::assemble(q.reference().clone(), QuantMode::Int8, layers, q.activations(), {}),
                    "layer 2 (dense)", "kernel scale 3", "positive and finite");
  layers = q.layers();
  layers[2].kernel.values.pop_back();
  EXPECT_ERROR_WITH(QuantizedModel::assemble(q.reference().clone(), QuantMode::Int8, layers, q.activations(), {}),
                    "int8 kernel holds");
  auto activations = q.activations();
  activations[1].scale = NAN;
  EXPECT_ERROR_WITH(QuantizedModel::assemble(q.reference().clone(), QuantMode::Int8, q.layers(), activations, {}),
                    "activation range 1");
}

}  // namespace
}  // namespace distillery
