// ReLU6: values and gradient on both flat parts, the relu6 token and conv/dense
// option, and TF.js both ways (ReLU with max_value 6, the "relu6" activation string).
#include <gtest/gtest.h>

#include "engine/gradient_check.h"
#include "engine/io/tfjs_export.h"
#include "engine/io/tfjs_import.h"
#include "engine/io/tfjs_test_util.h"
#include "engine/layers/bound_layer.h"
#include "engine/model/arch_spec.h"

namespace distillery {
namespace {

using nlohmann::json;
using test::BoundLayer;
using test::make_tensor;

const json kReLU6{{"type", "relu6"}};

TEST(ReLU6Test, ClampsToZeroAndSix) {
  BoundLayer relu6(kReLU6, Shape{6});
  const Tensor out = relu6.forward(make_tensor(Shape{1, 6}, {-3.0f, -0.0f, 0.5f, 5.9f, 6.0f, 7.5f}));
  EXPECT_EQ(out.values(), (std::vector<float>{0.0f, 0.0f, 0.5f, 5.9f, 6.0f, 6.0f}));
}

TEST(ReLU6Test, PassesTheGradientOnlyBetweenZeroAndSix) {
  BoundLayer relu6(kReLU6, Shape{4});
  const Tensor x = make_tensor(Shape{1, 4}, {-1.0f, 2.0f, 5.5f, 8.0f});
  const Tensor y = relu6.forward(x);
  Tensor dx;
  relu6.layer->backward(x, y, make_tensor(Shape{1, 4}, {1.0f, 2.0f, 3.0f, 4.0f}), dx);
  EXPECT_EQ(dx.values(), (std::vector<float>{0.0f, 2.0f, 3.0f, 0.0f}));
}

TEST(ReLU6Test, GradientsMatchFiniteDifferences) {
  test::GradientCheckOptions away_from_kink;
  away_from_kink.min_input_magnitude = 0.1f;
  LayerPtr layer = LayerRegistry::instance().create(kReLU6);
  EXPECT_TRUE(test::check_layer_gradients(*layer, Shape{3, 4, 2}, away_from_kink));
}

Model spec_model(const std::string& spec) {
  Rng rng(2);
  return Model::from_layer_configs(parse_arch_spec(spec, 3), Shape{6, 6, 2}, rng);
}

std::vector<std::string> types_of(const Model& model) {
  std::vector<std::string> types;
  for (const json& c : model.layer_configs()) types.push_back(c["type"]);
  return types;
}

TEST(ReLU6Test, IsATokenAndAConvOrDenseOption) {
  const Model model = spec_model("conv:4:3:relu6,dense:8:relu6,relu6");
  EXPECT_EQ(types_of(model), (std::vector<std::string>{"conv2d", "relu6", "flatten", "dense", "relu6", "relu6", "dense"}));
  EXPECT_EQ(describe_arch(model), "conv:4:3:relu6,dense:8:relu6,relu6");
}

TEST(ReLU6Test, ExportsToTfjsAsTheRelu6ActivationAndImportsBack) {
  Model model = spec_model("conv:4:3:relu6,relu6,dense:5");
  // Large weights, so some activations pass 6 and the clamp is exercised.
  for (float& w : model.params().values) w *= 8.0f;
  const TfjsModelFiles files = export_tfjs_model(model, "weights.bin");
  const json doc = json::parse(files.model_json);
  const json& layers = doc["modelTopology"]["config"]["layers"];
  EXPECT_EQ(layers[0]["config"]["activation"], "relu6");  // folded into the Conv2D
  EXPECT_EQ(layers[1]["class_name"], "Activation");
  EXPECT_EQ(layers[1]["config"]["activation"], "relu6");
  Model back = import_tfjs_model(files.model_json, {files.weights}, {});
  EXPECT_EQ(types_of(back), types_of(model));
  const Tensor x = test::random_tensor(Shape{3, 6, 6, 2}, 4);
  const std::vector<float> out = model.forward(x, false).values();
  EXPECT_EQ(back.forward(x, false).values(), out);
}

// A Keras ReLU layer with this config before a small Dense.
test::TfjsModelBuilder keras_relu(const json& config) {
  test::TfjsModelBuilder b({4});
  b.layer("ReLU", "re_lu_ReLU1", config);
  b.layer("Dense", "dense_Dense1", {{"units", 3}, {"activation", "linear"}, {"use_bias", true}});
  Rng rng(1);
  b.weight("dense_Dense1/kernel", {4, 3}, rng);
  b.weight("dense_Dense1/bias", {3}, rng);
  return b;
}

TEST(ReLU6Test, KerasReLUWithMaxValueSixIsAReLU6AndOtherCapsAreRefused) {
  const test::TfjsModelBuilder six = keras_relu({{"max_value", 6}});
  Model m = import_tfjs_model(six.model_json(), six.shards(), {});
  EXPECT_EQ(types_of(m), (std::vector<std::string>{"flatten", "relu6", "dense"}));  // flat input read as an image
  const test::TfjsModelBuilder other = keras_relu({{"max_value", 1.5}});
  test::expect_error([&] { import_tfjs_model(other.model_json(), other.shards(), {}); },
                     {"re_lu_ReLU1", "max_value 1.5", "only max_value 6"});
}

}  // namespace
}  // namespace distillery
