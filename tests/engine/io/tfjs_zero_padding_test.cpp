// Explicit pads ([[top, bottom], [left, right]], PyTorch's) through TF.js:
// exported as a ZeroPadding2D in front of a "valid" layer (or as "same" when
// they are TensorFlow's "same"), imported by folding a ZeroPadding2D into the
// layer it feeds, exactly, chain and graph; and a clear error wherever zero
// pads would not give the same result or cannot fold.
#include <gtest/gtest.h>

#include <map>

#include "engine/io/tfjs_export.h"
#include "engine/io/tfjs_import.h"
#include "engine/io/tfjs_test_util.h"

namespace distillery {
namespace {

using nlohmann::json;
using test::expect_error;
using test::TfjsModelBuilder;

Model make_model(const std::vector<json>& layers, const Shape& input, uint64_t seed = 3) {
  Rng rng(seed);
  Model m = Model::from_layer_configs(layers, input, rng);
  for (float& v : m.params().values) v += rng.uniform(-0.3f, 0.3f);  // biases too
  m.class_names.clear();
  for (int k = 0; k < m.num_outputs(); ++k) m.class_names.push_back("c" + std::to_string(k));
  return m;
}

json named(json config, const char* name, std::vector<std::string> inputs) {
  config["name"] = name;
  config["inputs"] = inputs;
  return config;
}

const json kPads01 = json{{0, 1}, {0, 1}};
const json kPads11 = json{{1, 1}, {1, 1}};

// The exported layers: the Sequential's list, or the functional model's.
json exported_layers(const TfjsModelFiles& files) {
  return json::parse(files.model_json)["modelTopology"]["config"]["layers"];
}

Model reimport(const TfjsModelFiles& files) { return import_tfjs_model(files.model_json, {files.weights}); }

// Same configs, same weights, same logits: the round trip lost nothing.
void expect_identical(Model& a, Model& b) {
  ASSERT_EQ(a.num_layers(), b.num_layers());
  for (int i = 0; i < a.num_layers(); ++i) {
    json ca = a.layer(i).config(), cb = b.layer(i).config();
    ca.erase("name"), cb.erase("name"), ca.erase("inputs"), cb.erase("inputs");  // TF.js names its own layers
    ca.erase("kernel_initializer"), cb.erase("kernel_initializer");
    EXPECT_EQ(ca, cb) << "layer " << i;
  }
  EXPECT_EQ(a.params().values, b.params().values);
  Rng rng(11);
  Tensor x(a.input_shape().with_batch(3));
  for (int64_t i = 0; i < x.size(); ++i) x[i] = rng.uniform(-1.0f, 1.0f);
  const Tensor la = a.predict_logits(x), lb = b.predict_logits(x);
  ASSERT_EQ(la.shape(), lb.shape());
  for (int64_t i = 0; i < la.size(); ++i) EXPECT_EQ(la[i], lb[i]) << "logit " << i;
}

// ---------------------------------------------------------------- export

TEST(TfjsZeroPaddingTest, AConvWithExplicitPadsIsWrittenAsZeroPadding2DAndAValidConv) {
  Model m = make_model({{{"type", "conv2d"}, {"filters", 2}, {"kernel_size", 3}, {"padding", kPads01}},
                        {{"type", "relu"}},
                        {{"type", "flatten"}},
                        {{"type", "dense"}, {"units", 3}}},
                       Shape{5, 5, 2});
  const TfjsModelFiles files = export_tfjs_model(m);
  const json layers = exported_layers(files);
  ASSERT_EQ(layers.size(), 4u);
  EXPECT_EQ(layers[0]["class_name"], "ZeroPadding2D");
  EXPECT_EQ(layers[0]["config"]["padding"], kPads01);
  EXPECT_EQ(layers[0]["config"]["data_format"], "channels_last");
  EXPECT_EQ(layers[0]["config"]["batch_input_shape"], (json{nullptr, 5, 5, 2}));
  EXPECT_EQ(layers[1]["class_name"], "Conv2D");
  EXPECT_EQ(layers[1]["config"]["padding"], "valid");
  EXPECT_EQ(layers[1]["config"]["activation"], "relu");
  // The ZeroPadding2D has no weights; the conv keeps its own.
  std::vector<std::string> weights;
  const json doc = json::parse(files.model_json);
  for (const json& w : doc["weightsManifest"][0]["weights"]) weights.push_back(w["name"]);
  EXPECT_EQ(weights, (std::vector<std::string>{"conv2d_1/kernel", "conv2d_1/bias", "dense_1/kernel", "dense_1/bias"}));

  Model back = reimport(files);
  EXPECT_EQ(back.layer(0).config()["padding"], kPads01);
  expect_identical(m, back);
}

TEST(TfjsZeroPaddingTest, PadsThatAreTensorFlowsSameAreWrittenAsSame) {
  // A stride-2 3x3 conv over 8 pixels: "same" pads 0 before and 1 after.
  Model m = make_model({{{"type", "conv2d"}, {"filters", 2}, {"kernel_size", 3}, {"strides", 2}, {"padding", kPads01}},
                        {{"type", "flatten"}},
                        {{"type", "dense"}, {"units", 2}}},
                       Shape{8, 8, 1});
  const json layers = exported_layers(export_tfjs_model(m));
  EXPECT_EQ(layers[0]["class_name"], "Conv2D");
  EXPECT_EQ(layers[0]["config"]["padding"], "same");
  // PyTorch's padding=1 on the same conv is not "same" (1 before): it needs the ZeroPadding2D.
  Model torch = make_model(
      {{{"type", "conv2d"}, {"filters", 2}, {"kernel_size", 3}, {"strides", 2}, {"padding", kPads11}},
       {{"type", "flatten"}},
       {{"type", "dense"}, {"units", 2}}},
      Shape{8, 8, 1});
  const TfjsModelFiles files = export_tfjs_model(torch);
  EXPECT_EQ(exported_layers(files)[0]["class_name"], "ZeroPadding2D");
  Model back = reimport(files);
  expect_identical(torch, back);
}

// A ResNet-style block as PyTorch through ONNX gives it: a stride-2 conv with
// padding 1, a depthwise conv with lopsided pads, a 1x1 stride-2 shortcut, an
// add; then a max pool with pads after a relu.
Model res_block() {
  return make_model(
      {named({{"type", "conv2d"}, {"filters", 3}, {"kernel_size", 3}, {"strides", 2}, {"padding", kPads11}}, "c1",
             {"input"}),
       named({{"type", "relu"}}, "r1", {"c1"}),
       named({{"type", "depthwise_conv2d"}, {"kernel_size", 3}, {"padding", json{{0, 2}, {2, 0}}}}, "d1", {"r1"}),
       named({{"type", "conv2d"}, {"filters", 3}, {"kernel_size", 1}, {"strides", 2}}, "s1", {"input"}),
       named({{"type", "add"}}, "a1", {"d1", "s1"}),
       named({{"type", "relu"}}, "r2", {"a1"}),
       named({{"type", "maxpool2d"}, {"pool_size", 3}, {"strides", 2}, {"padding", kPads11}}, "p1", {"r2"}),
       named({{"type", "flatten"}}, "f1", {"p1"}),
       named({{"type", "dense"}, {"units", 3}}, "out", {"f1"})},
      Shape{8, 8, 2});
}

TEST(TfjsZeroPaddingTest, AGraphGetsAZeroPadding2DNodeThatItsLayerReadsAndRoundTrips) {
  Model m = res_block();
  ASSERT_FALSE(m.is_chain());
  const TfjsModelFiles files = export_tfjs_model(m);
  const json layers = exported_layers(files);
  std::map<std::string, json> by_name;
  for (const json& l : layers) by_name[l["name"].get<std::string>()] = l;
  auto reads = [&](const std::string& name) {
    std::vector<std::string> from;
    for (const json& t : by_name.at(name)["inbound_nodes"][0]) from.push_back(t[0]);
    return from;
  };
  // input_1 -> zero_padding2d_1 -> conv2d_1 (the stride-2 conv); the shortcut conv2d_2 reads input_1.
  EXPECT_EQ(by_name.at("zero_padding2d_1")["class_name"], "ZeroPadding2D");
  EXPECT_EQ(by_name.at("zero_padding2d_1")["config"]["padding"], kPads11);
  EXPECT_EQ(reads("zero_padding2d_1"), std::vector<std::string>{"input_1"});
  EXPECT_EQ(reads("conv2d_1"), std::vector<std::string>{"zero_padding2d_1"});
  EXPECT_EQ(by_name.at("conv2d_1")["config"]["padding"], "valid");
  EXPECT_EQ(reads("zero_padding2d_2"), std::vector<std::string>{"conv2d_1"});  // the relu folded into conv2d_1
  EXPECT_EQ(reads("depthwise_conv2d_1"), std::vector<std::string>{"zero_padding2d_2"});
  EXPECT_EQ(reads("conv2d_2"), std::vector<std::string>{"input_1"});
  EXPECT_EQ(reads("zero_padding2d_3"), std::vector<std::string>{"activation_1"});  // the relu after the add
  EXPECT_EQ(reads("max_pooling2d_1"), std::vector<std::string>{"zero_padding2d_3"});

  Model back = reimport(files);
  ASSERT_FALSE(back.is_chain());
  expect_identical(m, back);
}

TEST(TfjsZeroPaddingTest, PadsThatZerosWouldChangeAreRefusedNamingTheLayer) {
  // A max pool whose input can be negative: a zero pad could beat every real cell.
  Model pool = make_model({{{"type", "conv2d"}, {"filters", 2}, {"kernel_size", 1}},
                           {{"type", "maxpool2d"}, {"pool_size", 2}, {"padding", kPads11}},
                           {{"type", "flatten"}},
                           {{"type", "dense"}, {"units", 2}}},
                          Shape{4, 4, 1});
  expect_error([&] { export_tfjs_model(pool); },
               {"layer 1 (maxpool2d): explicit padding [[1,1],[1,1]]", "its input (layer 0 (conv2d)) can be",
                "after a relu"});
  // An average pool divides edge windows by their real cells; TF.js would divide by the whole window.
  Model avg = make_model({{{"type", "avgpool2d"}, {"pool_size", 3}, {"strides", 1}, {"padding", kPads01}},
                          {{"type", "flatten"}},
                          {{"type", "dense"}, {"units", 2}}},
                         Shape{4, 4, 1});
  expect_error([&] { export_tfjs_model(avg); },
               {"layer 0 (avgpool2d): explicit padding [[0,1],[0,1]] has no TensorFlow.js form"});
  // With "same"'s pads it is TF.js's "same", which also divides by the real cells: the same logits.
  Model same = make_model({{{"type", "avgpool2d"}, {"pool_size", 3}, {"strides", 1}, {"padding", kPads11}},
                           {{"type", "flatten"}},
                           {{"type", "dense"}, {"units", 2}}},
                          Shape{4, 4, 1});
  const TfjsModelFiles files = export_tfjs_model(same);
  EXPECT_EQ(exported_layers(files)[0]["config"]["padding"], "same");
  Model back = reimport(files);
  EXPECT_EQ(back.params().values, same.params().values);
  Tensor x(same.input_shape().with_batch(2));
  for (int64_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i % 7) - 3.0f;
  const Tensor la = same.predict_logits(x), lb = back.predict_logits(x);
  for (int64_t i = 0; i < la.size(); ++i) EXPECT_EQ(la[i], lb[i]) << "logit " << i;
}

// ---------------------------------------------------------------- import

// ZeroPadding2D(padding) -> Conv2D 3x3 relu (given padding) -> Flatten, on 5x5 gray images.
TfjsModelBuilder padded_conv(const json& padding, const std::string& conv_padding) {
  TfjsModelBuilder b({5, 5, 1});
  b.layer("ZeroPadding2D", "zp", {{"padding", padding}, {"data_format", "channels_last"}});
  b.layer("Conv2D", "conv",
          {{"filters", 2}, {"kernel_size", {3, 3}}, {"padding", conv_padding}, {"activation", "relu"}});
  b.layer("Flatten", "flat");
  return b;
}

TEST(TfjsZeroPaddingTest, AZeroPadding2DBeforeAValidConvFoldsIntoItsPaddingInEachForm) {
  const std::vector<std::pair<json, json>> forms = {
      {1, kPads11}, {json{1, 2}, json{{1, 1}, {2, 2}}}, {json{{0, 1}, {2, 0}}, json{{0, 1}, {2, 0}}}};
  for (const auto& [written, pads] : forms) {
    Rng rng(2);
    TfjsModelBuilder b = padded_conv(written, "valid");
    const int h = 5 + pads[0][0].get<int>() + pads[0][1].get<int>() - 2;
    const int w = 5 + pads[1][0].get<int>() + pads[1][1].get<int>() - 2;
    b.layer("Dense", "out", {{"units", 2}});
    b.weight("conv/kernel", {3, 3, 1, 2}, rng);
    b.weight("conv/bias", {2}, rng);
    b.weight("out/kernel", {h * w * 2, 2}, rng);
    b.weight("out/bias", {2}, rng);
    Model m = import_tfjs_model(b.model_json(), b.shards());
    ASSERT_EQ(m.layer(0).type(), "conv2d") << written;
    EXPECT_EQ(m.layer(0).config()["padding"], pads) << written;
    EXPECT_EQ(m.layer(0).output_shape(), (Shape{h, w, 2})) << written;
    EXPECT_EQ(m.input_shape(), (Shape{5, 5, 1}));  // the ZeroPadding2D's batch_input_shape
  }
}

TEST(TfjsZeroPaddingTest, AZeroPadding2DThatCannotFoldIsAnErrorNamingIt) {
  TfjsModelBuilder same = padded_conv(1, "same");
  same.layer("Dense", "out", {{"units", 2}});
  expect_error([&] { import_tfjs_model(same.model_json(), {}); },
               {"layer 'zp' (ZeroPadding2D) pads the input of layer 'conv' (Conv2D), whose own padding is \"same\""});

  TfjsModelBuilder wide = padded_conv(3, "valid");  // Keras allows it; Distillery's pads stay inside the window
  wide.layer("Dense", "out", {{"units", 2}});
  expect_error([&] { import_tfjs_model(wide.model_json(), {}); },
               {"layer 'zp' (ZeroPadding2D) pads the input of layer 'conv' (Conv2D): conv2d: padding "
                "[[3,3],[3,3]] reaches past the kernel 3"});

  TfjsModelBuilder avg({5, 5, 1});
  avg.layer("ZeroPadding2D", "zp", {{"padding", 1}});
  avg.layer("AveragePooling2D", "pool", {{"pool_size", {2, 2}}, {"padding", "valid"}});
  avg.layer("Flatten", "flat");
  avg.layer("Dense", "out", {{"units", 2}});
  expect_error([&] { import_tfjs_model(avg.model_json(), {}); },
               {"layer 'zp' (ZeroPadding2D) pads the input of layer 'pool' (AveragePooling2D), which cannot take "
                "explicit padding"});

  TfjsModelBuilder max({5, 5, 1});
  max.layer("ZeroPadding2D", "zp", {{"padding", 1}});
  max.layer("MaxPooling2D", "pool", {{"pool_size", {2, 2}}, {"padding", "valid"}});
  max.layer("Flatten", "flat");
  max.layer("Dense", "out", {{"units", 2}});
  expect_error([&] { import_tfjs_model(max.model_json(), {}); },
               {"layer 'zp' (ZeroPadding2D) pads the input of layer 'pool' (MaxPooling2D)", "never negative",
                "the model input can be"});

  TfjsModelBuilder last({5, 5, 1});
  last.layer("Flatten", "flat");
  last.layer("ZeroPadding2D", "zp", {{"padding", 1}});
  expect_error([&] { import_tfjs_model(last.model_json(), {}); },
               {"layer 'zp' (ZeroPadding2D) is the model's output"});

  TfjsModelBuilder bad({5, 5, 1});
  bad.layer("ZeroPadding2D", "zp", {{"padding", json{1, 2, 3}}});
  bad.layer("Conv2D", "conv", {{"filters", 1}, {"kernel_size", 3}});
  expect_error([&] { import_tfjs_model(bad.model_json(), {}); },
               {"layer 'zp' (ZeroPadding2D): \"padding\" must be an int, [h, w] or [[top, bottom], [left, right]]"});

  TfjsModelBuilder first({5, 5, 1});
  first.layer("ZeroPadding2D", "zp", {{"padding", 1}, {"data_format", "channels_first"}});
  first.layer("Conv2D", "conv", {{"filters", 1}, {"kernel_size", 3}});
  expect_error([&] { import_tfjs_model(first.model_json(), {}); }, {"layer 'zp' (ZeroPadding2D): data_format"});
}

TEST(TfjsZeroPaddingTest, AMaxPoolFoldsAZeroPadding2DAfterAReluAndFeedingTwoLayersIsRefused) {
  Rng rng(3);
  TfjsModelBuilder b({4, 4, 1});
  b.layer("Conv2D", "conv", {{"filters", 2}, {"kernel_size", 1}, {"activation", "relu"}});
  b.layer("ZeroPadding2D", "zp", {{"padding", 1}});
  b.layer("MaxPooling2D", "pool", {{"pool_size", 2}, {"strides", 2}, {"padding", "valid"}});
  b.layer("Flatten", "flat");
  b.layer("Dense", "out", {{"units", 2}});
  b.weight("conv/kernel", {1, 1, 1, 2}, rng);
  b.weight("conv/bias", {2}, rng);
  b.weight("out/kernel", {3 * 3 * 2, 2}, rng);
  b.weight("out/bias", {2}, rng);
  Model m = import_tfjs_model(b.model_json(), b.shards());
  ASSERT_EQ(m.layer(2).type(), "maxpool2d");
  EXPECT_EQ(m.layer(2).config()["padding"], kPads11);

  // Padding 0 is no padding: the max pool reads the raw input as it is, nothing to refuse.
  TfjsModelBuilder none({4, 4, 1});
  none.layer("ZeroPadding2D", "zp", {{"padding", 0}});
  none.layer("MaxPooling2D", "pool", {{"pool_size", 2}, {"padding", "same"}});
  none.layer("Flatten", "flat");
  none.layer("Dense", "out", {{"units", 2}});
  none.weight("out/kernel", {2 * 2 * 1, 2}, rng);
  none.weight("out/bias", {2}, rng);
  Model unpadded = import_tfjs_model(none.model_json(), none.shards());
  EXPECT_EQ(unpadded.layer(0).config()["padding"], "same");

  // A functional model whose ZeroPadding2D feeds a conv and an add.
  auto node = [](const char* cls, const char* name, json config, std::vector<std::string> from) {
    config["name"] = name;
    json inbound = json::array();
    for (const std::string& f : from) inbound.push_back({f, 0, 0, json::object()});
    return json{{"class_name", cls}, {"name", name}, {"config", config}, {"inbound_nodes", {inbound}}};
  };
  json input = node("InputLayer", "input", {{"batch_input_shape", {nullptr, 4, 4, 1}}}, {});
  input["inbound_nodes"] = json::array();
  const json layers = {input,
                       node("ZeroPadding2D", "zp", {{"padding", 1}}, {"input"}),
                       node("Conv2D", "conv", {{"filters", 1}, {"kernel_size", 3}, {"padding", "same"}}, {"zp"}),
                       node("Add", "out", json::object(), {"zp", "conv"})};
  const json doc = {{"format", "layers-model"},
                    {"modelTopology",
                     {{"class_name", "Functional"},
                      {"config",
                       {{"name", "m"},
                        {"layers", layers},
                        {"input_layers", {{"input", 0, 0}}},
                        {"output_layers", {{"out", 0, 0}}}}}}},
                    {"weightsManifest", json::array()}};
  expect_error([&] { import_tfjs_model(doc.dump(), {}); }, {"layer 'zp' (ZeroPadding2D) feeds 2 layers"});
}

}  // namespace
}  // namespace distillery
