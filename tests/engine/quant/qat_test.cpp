// Quantization-aware fine-tuning: the fake-quant layer rounds to the int8 grid
// and passes the gradient only inside its range; a QAT step moves the float
// kernels by the gradient taken at their int8 rounding (the straight-through
// estimator), not at themselves; masks survive; and QAT then PTQ is at least
// as accurate as PTQ alone on the band problem.
#include "engine/quant/qat.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "engine/data/batch.h"
#include "engine/losses/losses.h"
#include "engine/metrics/metrics.h"
#include "engine/quant/fake_quant.h"
#include "engine/quant/model_params.h"
#include "engine/quant/quantized_model.h"
#include "engine/train/band_dataset.h"

namespace distillery {
namespace {

using test::make_band_dataset;
using test::make_band_model;

TEST(FakeQuantLayer, RoundsToTheGridOfItsRangeAndClipsTheGradientOutsideIt) {
  FakeQuantLayer layer({{"type", "fake_quant"}, {"momentum", 0}});
  layer.build(Shape{4});
  Tensor x(Shape{1, 4}), y;
  const float seen[] = {-1.0f, 0.0f, 0.3f, 2.0f};
  std::copy(seen, seen + 4, x.data());
  layer.forward(x, y, /*training=*/true);
  EXPECT_EQ(layer.range_min(), -1.0f);
  EXPECT_EQ(layer.range_max(), 2.0f);
  const ActivationQuant grid = activation_quant_from_range(-1.0f, 2.0f);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(y[i], grid.scale * float(quantize_activation(seen[i], grid) - grid.zero_point)) << i;
    EXPECT_LE(std::fabs(y[i] - seen[i]), grid.scale / 2 * 1.0001f) << i;
  }
  EXPECT_EQ(y[1], 0.0f);
  EXPECT_NE(y[2], 0.3f);  // rounded

  // Inference keeps the tracked range: values beyond it are clipped and get no gradient.
  const float later[] = {-3.0f, 0.5f, 3.0f, 1.0f};
  std::copy(later, later + 4, x.data());
  layer.forward(x, y, /*training=*/false);
  EXPECT_EQ(layer.range_max(), 2.0f);
  EXPECT_NEAR(y[2], 2.0f, grid.scale);
  Tensor ones(Shape{1, 4}), grad;
  std::fill(ones.data(), ones.data() + ones.size(), 1.0f);
  layer.backward(x, y, ones, grad);
  EXPECT_EQ(std::vector<float>(grad.data(), grad.data() + 4), (std::vector<float>{0, 1, 0, 1}));
}

TEST(FakeQuantizedCopy, QuantizesWhereTheInt8ForwardDoes) {
  Model m = make_band_model({{{"type", "dense"}, {"units", 8}}, {{"type", "relu"}}, {{"type", "dropout"}, {"rate", 0.1}}}, 1);
  const Model copy = fake_quantized_copy(m);
  std::vector<std::string> types;
  for (int i = 0; i < copy.num_layers(); ++i) types.push_back(copy.layer(i).type());
  // The input; after the ReLU fused into the dense; not after dropout (same bytes) nor after the logits.
  EXPECT_EQ(types, (std::vector<std::string>{"fake_quant", "flatten", "dense", "relu", "fake_quant", "dropout", "dense"}));
  EXPECT_EQ(copy.params().values, m.params().values);
}

// One SGD step over the whole set as one batch: the float kernels move by -lr
// times the gradient computed with the int8-rounded kernels.
TEST(Qat, TheKernelGradientIsTheStraightThroughOne) {
  const Dataset data = make_band_dataset(48, 3);
  Model m = make_band_model({{{"type", "dense"}, {"units", 6}}, {{"type", "relu"}}}, 5);
  TrainConfig config;
  config.epochs = 1;
  config.batch_size = 48;
  config.learning_rate = 0.5f;
  config.optimizer.kind = OptimizerKind::kSgd;
  config.optimizer.momentum = 0.0f;
  const Model tuned = quantization_aware_finetune(m, data, all_indices(data.size()), config);

  // The gradient at a given kernel, through the fake-quantized copy (fresh ranges, as in the run).
  auto gradient = [&](bool rounded) {
    Model copy = fake_quantized_copy(m);
    std::vector<float> latent;
    if (rounded) swap_in_fake_quantized_kernels(copy, latent);
    Tensor x;
    const std::vector<int> indices = all_indices(data.size());
    gather_batch(data, indices.data(), data.size(), copy.preprocessing, x);
    Tensor grad;
    cross_entropy_loss(copy.forward(x, true), HardLabels(data.labels.data()), &grad);
    copy.params().zero_grads();
    copy.backward(grad);
    return copy.params().grads;
  };
  const std::vector<float> straight_through = gradient(true), at_float = gradient(false);
  double worst = 0, unlike_float = 0;
  for (int layer = 0; layer < m.num_layers(); ++layer) {
    const ParamRef* kernel = find_param(m, layer, "kernel");
    if (kernel == nullptr) continue;
    for (int64_t k = 0; k < kernel->size(); ++k) {
      const size_t at = size_t(kernel->offset + k);
      const double moved = double(tuned.params().values[at]) - m.params().values[at];
      worst = std::max(worst, std::fabs(moved + 0.5 * straight_through[at]));
      unlike_float = std::max(unlike_float, std::fabs(moved + 0.5 * at_float[at]));
    }
  }
  EXPECT_LT(worst, 1e-5);
  EXPECT_GT(unlike_float, 20 * worst + 1e-5);  // the float gradient would have moved them elsewhere
}

TEST(Qat, PrunedWeightsStayZeroAndTheirMasksStay) {
  const Dataset data = make_band_dataset(90, 4);
  Model m = make_band_model({{{"type", "dense"}, {"units", 8}}, {{"type", "relu"}}}, 6);
  const ParamRef& kernel = *find_param(m, 1, "kernel");
  for (int64_t k = 0; k < kernel.size(); k += 3) {
    m.params().masks[size_t(kernel.offset + k)] = 0.0f;
    m.params().values[size_t(kernel.offset + k)] = 0.0f;
  }
  TrainConfig config;
  config.epochs = 2;
  config.batch_size = 16;
  config.learning_rate = 0.01f;
  const Model tuned = quantization_aware_finetune(m, data, all_indices(data.size()), config);
  EXPECT_EQ(tuned.params().masks, m.params().masks);
  int changed = 0, kept = 0;
  for (int64_t k = 0; k < kernel.size(); ++k) {
    const size_t at = size_t(kernel.offset + k);
    if (m.params().masks[at] == 0.0f) {
      EXPECT_EQ(tuned.params().values[at], 0.0f) << k;
    }
    kept += m.params().masks[at] != 0.0f;
    changed += tuned.params().values[at] != m.params().values[at];
  }
  EXPECT_GT(changed, kept / 3);  // training did move the kept ones (units a ReLU shuts off do not move)
}

double int8_accuracy(const Model& model, const Dataset& data) {
  Tensor calibration;
  const std::vector<int> indices = all_indices(data.size());
  gather_batch(data, indices.data(), data.size(), model.preprocessing, calibration);
  QuantizedModel q = quantize_model(model, calibration, {QuantMode::Int8});
  const std::vector<int> predicted = predicted_classes(q.predict_logits(calibration));
  int right = 0;
  for (size_t i = 0; i < predicted.size(); ++i) right += predicted[i] == data.labels[i];
  return double(right) / double(predicted.size());
}

// Against the same number of float fine-tuning epochs, so it is the quantization awareness that is measured.
TEST(Qat, QatThenPtqIsAtLeastAsAccurateAsFloatFineTuningThenPtq) {
  const Dataset data = make_band_dataset(150, 8);
  Model m = make_band_model({{{"type", "dense"}, {"units", 4}}, {{"type", "relu"}}}, 9);
  TrainConfig config;
  config.epochs = 6;
  config.batch_size = 16;
  config.learning_rate = 0.01f;
  TrainingRun(m, data, all_indices(data.size()), {}, config).run();
  config.epochs = 2;
  Model float_tuned = m.clone();
  TrainingRun(float_tuned, data, all_indices(data.size()), {}, config).run();
  const Model qat_tuned = quantization_aware_finetune(m, data, all_indices(data.size()), config);
  const double ptq = int8_accuracy(float_tuned, data), qat = int8_accuracy(qat_tuned, data);
  std::printf("int8 accuracy after 2 more epochs: float fine-tuning then PTQ %.4f, QAT then PTQ %.4f\n", ptq, qat);
  EXPECT_GE(qat, ptq);
  EXPECT_GT(qat, 0.9);
}

// A residual graph: conv -> relu (fused), a 1x1 conv, their add, flatten, the classifier.
std::vector<nlohmann::json> band_graph_layers() {
  return {{{"type", "conv2d"}, {"name", "c"}, {"filters", 4}, {"kernel_size", 3}, {"padding", "same"}, {"inputs", {"input"}}},
          {{"type", "relu"}, {"name", "r"}, {"inputs", {"c"}}},
          {{"type", "conv2d"}, {"name", "d"}, {"filters", 4}, {"kernel_size", 1}, {"inputs", {"r"}}},
          {{"type", "add"}, {"name", "a"}, {"inputs", {"d", "r"}}},
          {{"type", "flatten"}, {"name", "f"}, {"inputs", {"a"}}},
          {{"type", "dense"}, {"name", "out"}, {"units", 3}, {"inputs", {"f"}}}};
}

TEST(FakeQuantizedCopy, AGraphGetsFakeQuantBetweenEachQuantizedOutputAndItsReaders) {
  Rng rng(2);
  Model m = Model::from_layer_configs(band_graph_layers(), Shape{6, 6, 1}, rng);
  const Model copy = fake_quantized_copy(m);
  std::vector<std::string> types;
  for (int i = 0; i < copy.num_layers(); ++i) types.push_back(copy.layer(i).type());
  // The input; the ReLU (fused into c, so not c); d; the add; not flatten (same bytes) nor the logits.
  EXPECT_EQ(types, (std::vector<std::string>{"fake_quant", "conv2d", "relu", "fake_quant", "conv2d", "fake_quant",
                                             "add", "fake_quant", "flatten", "dense"}));
  const LayerGraph& g = copy.graph();
  EXPECT_EQ(g.names[6], "a");
  EXPECT_EQ(g.names[size_t(g.inputs[6][0])], "fake_quant_d");
  EXPECT_EQ(g.names[size_t(g.inputs[6][1])], "fake_quant_r");
  EXPECT_EQ(copy.params().values, m.params().values);
}

TEST(Qat, AGraphModelFineTunesAndThenQuantizes) {
  const Dataset data = make_band_dataset(150, 8);
  Rng rng(3);
  Model m = Model::from_layer_configs(band_graph_layers(), Shape{6, 6, 1}, rng);
  m.class_names = {"top", "middle", "bottom"};
  TrainConfig config;
  config.epochs = 3;
  config.batch_size = 16;
  config.learning_rate = 0.01f;
  const Model tuned = quantization_aware_finetune(m, data, all_indices(data.size()), config);
  EXPECT_FALSE(tuned.is_chain());
  EXPECT_EQ(tuned.num_layers(), m.num_layers());
  EXPECT_NE(tuned.params().values, m.params().values);
  EXPECT_GT(int8_accuracy(tuned, data), 0.9);
}

TEST(Qat, RefusesNoEpochsAndNoImages) {
  const Dataset data = make_band_dataset(9, 1);
  Model m = make_band_model({}, 1);
  TrainConfig config;
  config.epochs = 0;
  try {
    quantization_aware_finetune(m, data, all_indices(data.size()), config);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("QAT needs at least one epoch"), std::string::npos) << e.what();
  }
  config.epochs = 1;
  EXPECT_THROW(quantization_aware_finetune(m, data, {}, config), Error);
}

}  // namespace
}  // namespace distillery
