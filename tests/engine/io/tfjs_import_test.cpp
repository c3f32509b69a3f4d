// TF.js Layers import: layers and activations translated, weights matched by
// name across shards (whatever the manifest order), Keras-converter layouts,
// options and metadata, and an error naming the layer or weight for every
// thing that is not supported. Predictions are compared with the same network
// built directly in Distillery (the real TF.js comparison is tests/tfjs/).
#include "engine/io/tfjs_import.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <tuple>

#include "engine/io/tfjs_test_util.h"
#include "engine/layers/layer_registry.h"

namespace distillery {
namespace {

using nlohmann::json;
using test::expect_error;
using test::TfjsModelBuilder;

std::vector<std::string> layer_types(const Model& m) {
  std::vector<std::string> types;
  for (int i = 0; i < m.num_layers(); ++i) types.push_back(m.layer(i).type());
  return types;
}

void set_param(Model& m, int layer, const std::string& name, const std::vector<float>& values) {
  for (int r : m.param_refs_of_layer(layer)) {
    const ParamRef& ref = m.params().refs[r];
    if (ref.spec.name != name) continue;
    ASSERT_EQ(static_cast<size_t>(ref.size()), values.size()) << name;
    std::copy(values.begin(), values.end(), m.params().values.begin() + ref.offset);
    return;
  }
  FAIL() << "layer " << layer << " has no " << name;
}

Tensor random_input(const Shape& sample, int n, uint64_t seed) {
  Rng rng(seed);
  Tensor t(sample.with_batch(n));
  for (int64_t i = 0; i < t.size(); ++i) t[i] = rng.uniform(0.0f, 1.0f);
  return t;
}

void expect_same_logits(Model& a, Model& b, uint64_t seed = 4) {
  const Tensor x = random_input(a.input_shape(), 3, seed);
  const Tensor la = a.predict_logits(x), lb = b.predict_logits(x);
  ASSERT_EQ(la.shape(), lb.shape());
  for (int64_t i = 0; i < la.size(); ++i) EXPECT_FLOAT_EQ(la[i], lb[i]) << "logit " << i;
}

// An MLP on a flat 16-value input: Dense relu, Dropout, Dense softmax.
TfjsModelBuilder mlp_builder(Rng& rng) {
  TfjsModelBuilder b({16});
  b.layer("Dense", "dense_Dense1", {{"units", 5}, {"activation", "relu"}, {"use_bias", true}});
  b.layer("Dropout", "dropout_Dropout1", {{"rate", 0.25}});
  b.layer("Dense", "dense_Dense2", {{"units", 3}, {"activation", "softmax"}, {"use_bias", true}});
  // Manifest order differs from layer order: names decide, not positions.
  b.weight("dense_Dense2/bias", {3}, rng);
  b.weight("dense_Dense1/kernel", {16, 5}, rng);
  b.weight("dense_Dense2/kernel", {5, 3}, rng);
  b.weight("dense_Dense1/bias", {5}, rng);
  return b;
}

TEST(TfjsImportTest, MlpBecomesAnImageModelWithFlattenAndMatchesTheDirectNetwork) {
  Rng rng(1);
  const TfjsModelBuilder b = mlp_builder(rng);
  Model m = import_tfjs_model(b.model_json(3), b.shards(3));
  EXPECT_EQ(m.input_shape(), (Shape{4, 4, 1}));  // 16 values: a 4x4 gray image
  EXPECT_EQ(layer_types(m), (std::vector<std::string>{"flatten", "dense", "relu", "dropout", "dense"}));
  EXPECT_EQ(m.class_names, (std::vector<std::string>{"class_0", "class_1", "class_2"}));
  EXPECT_FLOAT_EQ(m.preprocessing.scale, 1.0f / 255.0f);
  EXPECT_EQ(m.name, "sequential_1");
  EXPECT_EQ(m.provenance["imported_from"]["output_activation"], "softmax");
  EXPECT_EQ(m.provenance["imported_from"]["keras_version"], "tfjs-layers 4.22.0");

  Rng unused(0);
  Model direct = Model::from_layer_configs({{{"type", "flatten"}},
                                            {{"type", "dense"}, {"units", 5}},
                                            {{"type", "relu"}},
                                            {{"type", "dropout"}, {"rate", 0.25}},
                                            {{"type", "dense"}, {"units", 3}}},
                                           Shape{4, 4, 1}, unused);
  set_param(direct, 1, "kernel", b.weights[1].values);
  set_param(direct, 1, "bias", b.weights[3].values);
  set_param(direct, 4, "kernel", b.weights[2].values);
  set_param(direct, 4, "bias", b.weights[0].values);
  expect_same_logits(m, direct);
}

TEST(TfjsImportTest, CnnWithBatchNormTakesNonTrainableWeightsByName) {
  Rng rng(2);
  TfjsModelBuilder b({6, 6, 2});
  b.layer("Conv2D", "conv2d_Conv2D1",
          {{"filters", 3},
           {"kernel_size", {3, 3}},
           {"strides", {1, 1}},
           {"padding", "same"},
           {"data_format", "channels_last"},
           {"dilation_rate", {1, 1}},
           {"activation", "linear"},
           {"use_bias", false}});
  b.layer("BatchNormalization", "batch_normalization_BatchNormalization1",
          {{"axis", -1}, {"momentum", 0.99}, {"epsilon", 0.001}, {"center", true}, {"scale", true}});
  b.layer("ReLU", "re_lu_ReLU1", {{"max_value", nullptr}});
  b.layer("MaxPooling2D", "max_pooling2d_MaxPooling2D1",
          {{"pool_size", {2, 2}}, {"padding", "valid"}, {"strides", {2, 2}}});
  b.layer("AveragePooling2D", "average_pooling2d_AveragePooling2D1",
          {{"pool_size", 2}, {"padding", "same"}, {"strides", nullptr}});
  b.layer("Flatten", "flatten_Flatten1");
  b.layer("Dense", "dense_Dense1", {{"units", 4}, {"activation", "softmax"}});
  // TF.js' order: every trainable weight, then the moving statistics.
  const auto kernel = b.weight("conv2d_Conv2D1/kernel", {3, 3, 2, 3}, rng);
  const auto gamma = b.weight("batch_normalization_BatchNormalization1/gamma", {3}, rng, 0.5f, 1.5f);
  const auto beta = b.weight("batch_normalization_BatchNormalization1/beta", {3}, rng);
  const auto dense_kernel = b.weight("dense_Dense1/kernel", {12, 4}, rng);
  const auto dense_bias = b.weight("dense_Dense1/bias", {4}, rng);
  const auto mean = b.weight("batch_normalization_BatchNormalization1/moving_mean", {3}, rng);
  const auto variance = b.weight("batch_normalization_BatchNormalization1/moving_variance", {3}, rng, 0.2f, 2.0f);

  Model m = import_tfjs_model(b.model_json(), b.shards(), {-1.0f, {"a", "b", "c", "d"}, {}});
  EXPECT_EQ(layer_types(m),
            (std::vector<std::string>{"conv2d", "batch_norm", "relu", "maxpool2d", "avgpool2d", "flatten", "dense"}));
  EXPECT_EQ(m.class_names, (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_EQ(m.layer(4).output_shape(), (Shape{2, 2, 3}));  // 3x3 pooled by 2, same padding

  Rng unused(0);
  std::vector<json> configs = m.layer_configs();
  Model direct = Model::from_layer_configs(configs, Shape{6, 6, 2}, unused);
  set_param(direct, 0, "kernel", kernel);
  set_param(direct, 1, "gamma", gamma);
  set_param(direct, 1, "beta", beta);
  set_param(direct, 1, "moving_mean", mean);
  set_param(direct, 1, "moving_variance", variance);
  set_param(direct, 6, "kernel", dense_kernel);
  set_param(direct, 6, "bias", dense_bias);
  expect_same_logits(m, direct);
  EXPECT_EQ(configs[0]["use_bias"], false);
  EXPECT_EQ(configs[0]["padding"], "same");
}

TEST(TfjsImportTest, KerasConverterLayoutWithInputLayerScopedNamesAndTwoGroups) {
  // tensorflowjs_converter: the Keras config under "model_config", an InputLayer,
  // weight names scoped by the model, several manifest groups.
  Rng rng(3);
  TfjsModelBuilder b({3, 3, 1});
  b.layer("InputLayer", "input_1", {{"dtype", "float32"}, {"sparse", false}});
  b.layer("Flatten", "flatten");
  b.layer("Dense", "dense", {{"units", 4}, {"activation", "tanh"}});
  b.layer("Activation", "activation", {{"activation", "relu"}});
  b.layer("Dense", "dense_1", {{"units", 2}});
  b.layer("Softmax", "softmax", {{"axis", -1}});
  const auto k0 = b.weight("sequential/dense/kernel", {9, 4}, rng);
  const auto b0 = b.weight("sequential/dense/bias", {4}, rng);
  const auto k1 = b.weight("dense_1/kernel:0", {4, 2}, rng);
  const auto b1 = b.weight("dense_1/bias:0", {2}, rng);
  json topology = {{"keras_version", "2.15.0"}, {"backend", "tensorflow"}, {"model_config", b.topology()}};
  const std::vector<uint8_t> bytes = b.bytes();
  const size_t first = (9 * 4 + 4) * 4;
  json entries = b.manifest_entries();
  const json doc = {
      {"format", "layers-model"},
      {"generatedBy", "keras v2.15.0"},
      {"convertedBy", "TensorFlow.js Converter v4.22.0"},
      {"modelTopology", topology},
      {"weightsManifest",
       {{{"paths", {"group1-shard1of1.bin"}}, {"weights", {entries[0], entries[1]}}},
        {{"paths", {"group2-shard1of2.bin", "group2-shard2of2.bin"}}, {"weights", {entries[2], entries[3]}}}}}};
  const std::vector<uint8_t> g1(bytes.begin(), bytes.begin() + first),
      g2a(bytes.begin() + first, bytes.begin() + first + 10), g2b(bytes.begin() + first + 10, bytes.end());
  EXPECT_EQ(tfjs_weight_paths(doc.dump()),
            (std::vector<std::string>{"group1-shard1of1.bin", "group2-shard1of2.bin", "group2-shard2of2.bin"}));
  Model m = import_tfjs_model(doc.dump(), {g1, g2a, g2b});
  EXPECT_EQ(layer_types(m), (std::vector<std::string>{"flatten", "dense", "tanh", "relu", "dense"}));
  EXPECT_EQ(m.input_shape(), (Shape{3, 3, 1}));
  EXPECT_EQ(m.provenance["imported_from"]["converted_by"], "TensorFlow.js Converter v4.22.0");

  Rng unused(0);
  Model direct = Model::from_layer_configs(m.layer_configs(), Shape{3, 3, 1}, unused);
  set_param(direct, 1, "kernel", k0);
  set_param(direct, 1, "bias", b0);
  set_param(direct, 4, "kernel", k1);
  set_param(direct, 4, "bias", b1);
  expect_same_logits(m, direct);
}

json functional_layer(const std::string& cls, const std::string& name, json config,
                      const std::vector<std::string>& from) {
  config["name"] = name;
  json nodes = json::array();
  if (!from.empty()) {
    json node = json::array();
    for (const auto& f : from) node.push_back({f, 0, 0, json::object()});
    nodes.push_back(node);
  }
  return {{"class_name", cls}, {"name", name}, {"config", config}, {"inbound_nodes", nodes}};
}

std::string functional_json(const json& layers, const std::vector<uint8_t>& bytes_unused, const json& entries) {
  (void)bytes_unused;
  const json topology = {{"class_name", "Functional"},
                         {"config",
                          {{"name", "model"},
                           {"layers", layers},
                           {"input_layers", {{"input", 0, 0}}},
                           {"output_layers", {{"out", 0, 0}}}}}};
  return json{{"format", "layers-model"},
              {"modelTopology", {{"model_config", topology}}},
              {"weightsManifest", {{{"paths", {"w.bin"}}, {"weights", entries}}}}}
      .dump();
}

TEST(TfjsImportTest, AFunctionalChainImportsAndAGraphReadingAnUnknownLayerIsRefused) {
  Rng rng(4);
  TfjsModelBuilder weights({1});
  weights.weight("out/kernel", {4, 3}, rng);
  weights.weight("out/bias", {3}, rng);
  json layers = {functional_layer("InputLayer", "input", {{"batch_input_shape", {nullptr, 4}}}, {}),
                 functional_layer("Dense", "out", {{"units", 3}, {"activation", "softmax"}}, {"input"})};
  Model m =
      import_tfjs_model(functional_json(layers, {}, weights.manifest_entries()), {weights.bytes()}, {1.0f, {}, {}});
  EXPECT_EQ(layer_types(m), (std::vector<std::string>{"flatten", "dense"}));
  EXPECT_EQ(m.input_shape(), (Shape{2, 2, 1}));
  EXPECT_FLOAT_EQ(m.preprocessing.scale, 1.0f);

  layers[1] = functional_layer("Dense", "out", {{"units", 3}}, {"input", "other"});
  expect_error([&] { import_tfjs_model(functional_json(layers, {}, weights.manifest_entries()), {weights.bytes()}); },
               {"layer 'out' (Dense) reads 'other', which is not a layer before it"});
  layers[1] = functional_layer("Dense", "out", {{"units", 3}}, {"input", "input"});
  expect_error([&] { import_tfjs_model(functional_json(layers, {}, weights.manifest_entries()), {weights.bytes()}); },
               {"layer 'out' (Dense): dense takes one input, but is given 2"});
}

TEST(TfjsImportTest, OneUnitSigmoidOutputBecomesTwoClasses) {
  Rng rng(5);
  TfjsModelBuilder b({2, 2, 1});
  b.layer("Flatten", "flatten_Flatten1");
  b.layer("Dense", "dense_Dense1", {{"units", 1}, {"activation", "sigmoid"}});
  const auto kernel = b.weight("dense_Dense1/kernel", {4, 1}, rng);
  const auto bias = b.weight("dense_Dense1/bias", {1}, rng);
  Model m = import_tfjs_model(b.model_json(), b.shards());
  ASSERT_EQ(m.num_outputs(), 2);
  EXPECT_EQ(m.provenance["imported_from"]["output_activation"], "sigmoid");
  const Tensor x = random_input(Shape{2, 2, 1}, 2, 8);
  const Tensor logits = m.predict_logits(x);
  for (int s = 0; s < 2; ++s) {
    double z = bias[0];
    for (int i = 0; i < 4; ++i) z += static_cast<double>(x[s * 4 + i]) * kernel[i];
    const double p_yes = 1.0 / (1.0 + std::exp(-z));
    const double softmax_yes = 1.0 / (1.0 + std::exp(logits[s * 2] - logits[s * 2 + 1]));
    EXPECT_NEAR(softmax_yes, p_yes, 1e-6);
  }
}

TEST(TfjsImportTest, ALinearOutputKeepsItsLogitsAndTheOptionsAreRecorded) {
  Rng rng(6);
  TfjsModelBuilder b({12});
  b.layer("Dense", "logits", {{"units", 2}, {"activation", "linear"}});
  b.weight("logits/kernel", {12, 2}, rng);
  b.weight("logits/bias", {2}, rng);
  TfjsImportOptions options;
  options.input_scale = 0.5f;
  options.image_shape = Shape{2, 2, 3};
  options.class_names = {"no", "yes"};
  Model m = import_tfjs_model(b.model_json(), b.shards(), options);
  EXPECT_EQ(m.input_shape(), (Shape{2, 2, 3}));  // 12 = 2x2 RGB, as asked (a guess would fail: 12 is no square)
  EXPECT_FLOAT_EQ(m.preprocessing.scale, 0.5f);
  EXPECT_EQ(m.provenance["imported_from"]["output_activation"], "linear");
  options.image_shape = Shape{3, 3, 1};
  expect_error([&] { import_tfjs_model(b.model_json(), b.shards(), options); },
               {"[3, 3, 1] does not hold the model's 12 input values"});
  options.image_shape = {};
  options.class_names = {"one"};
  expect_error([&] { import_tfjs_model(b.model_json(), b.shards(), options); },
               {"1 class names were given but the model has 2 outputs"});
}

TEST(TfjsImportTest, FilesAreMatchedToTheManifestByName) {
  Rng rng(7);
  const TfjsModelBuilder b = mlp_builder(rng);
  const std::string text = b.model_json(2);
  const auto shards = b.shards(2);
  std::vector<FileEntry> files = {{"upload/group1-shard2of2.bin", shards[1]},
                                  {"notes.json", {'{', '}'}},
                                  {"upload/model.json", std::vector<uint8_t>(text.begin(), text.end())},
                                  {"group1-shard1of2.bin", shards[0]}};
  Model from_files = import_tfjs_files(files);
  Model direct = import_tfjs_model(text, shards);
  expect_same_logits(from_files, direct);
  files.pop_back();
  expect_error([&] { import_tfjs_files(files); }, {"upload/model.json needs the weight file 'group1-shard1of2.bin'"});
  expect_error([&] { import_tfjs_files({files[1]}); }, {"no TensorFlow.js model.json"});
}

// ------------------------------------------------------------------ errors

struct Case {
  const char* what;
  std::function<void(TfjsModelBuilder&, Rng&)> build;
  std::vector<std::string> message;
};

void dense_out(TfjsModelBuilder& b, Rng& rng, int in, const std::string& activation = "softmax") {
  b.layer("Dense", "out", {{"units", 3}, {"activation", activation}});
  b.weight("out/kernel", {in, 3}, rng);
  b.weight("out/bias", {3}, rng);
}

TEST(TfjsImportTest, UnsupportedThingsNameTheLayerAndItsClass) {
  const std::vector<Case> cases = {
      {"unknown layer",
       [](TfjsModelBuilder& b, Rng& rng) {
         b.layer("LSTM", "lstm_LSTM1", {{"units", 4}});
         dense_out(b, rng, 4);
       },
       {"layer 'lstm_LSTM1' (LSTM) is not supported", "supported: InputLayer, Dense, Conv2D"}},
      {"activation",
       [](TfjsModelBuilder& b, Rng& rng) { dense_out(b, rng, 16, "elu"); },
       {"layer 'out' (Dense): activation 'elu' is not supported"}},
      {"softmax in the middle",
       [](TfjsModelBuilder& b, Rng& rng) {
         b.layer("Activation", "act", {{"activation", "softmax"}});
         dense_out(b, rng, 16);
       },
       {"layer 'act' (Activation): softmax is supported only on the output layer"}},
      {"multi-label sigmoid",
       [](TfjsModelBuilder& b, Rng& rng) { dense_out(b, rng, 16, "sigmoid"); },
       {"layer 'out' (Dense): a sigmoid output over several units (multi-label)"}},
      {"reshape",
       [](TfjsModelBuilder& b, Rng&) {
         b.layer("Reshape", "r", {{"target_shape", {4, 4, 1}}});
       },
       {"layer 'r' (Reshape) is not supported"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    Rng rng(1);
    TfjsModelBuilder b({16});
    c.build(b, rng);
    expect_error([&] { import_tfjs_model(b.model_json(), b.shards()); }, c.message);
  }
}

TEST(TfjsImportTest, ConvSettingsOutsideTheEngineAreRefusedByName) {
  for (const auto& [key, value, message] : std::vector<std::tuple<std::string, json, std::string>>{
           {"dilation_rate", {2, 2}, "dilation_rate [2,2] is not supported"},
           {"data_format", "channels_first", "data_format 'channels_first' is not supported"},
           {"padding", "causal", "padding 'causal' is not supported"}}) {
    SCOPED_TRACE(key);
    Rng rng(1);
    TfjsModelBuilder b({4, 4, 1});
    json config = {{"filters", 2}, {"kernel_size", 3}, {"padding", "same"}};
    config[key] = value;
    b.layer("Conv2D", "conv", config);
    expect_error([&] { import_tfjs_model(b.model_json(), b.shards()); }, {"layer 'conv' (Conv2D): " + message});
  }
  TfjsModelBuilder b({4, 4, 1});
  b.layer("Dense", "d", {{"units", 3}});
  expect_error([&] { import_tfjs_model(b.model_json(), b.shards()); },
               {"layer 'd' (Dense): dense expects a flat input but got shape [4, 4, 1]"});
}

TEST(TfjsImportTest, WeightProblemsNameTheWeight) {
  Rng rng(1);
  TfjsModelBuilder b({16});
  dense_out(b, rng, 16);
  json doc = json::parse(b.model_json());
  auto import_doc = [&](const json& d, std::vector<uint8_t> bytes) { import_tfjs_model(d.dump(), {std::move(bytes)}); };

  json quantised = doc;
  quantised["weightsManifest"][0]["weights"][0]["quantization"] = {{"dtype", "uint8"}, {"scale", 0}, {"min", -1}};
  std::vector<uint8_t> q(16 * 3 + 3 * 4, 0);
  expect_error([&] { import_doc(quantised, q); },
               {"weight 'out/kernel': quantization scale is 0; a scale must be a positive, finite number"});

  json int_typed = doc;
  int_typed["weightsManifest"][0]["weights"][1]["dtype"] = "int32";
  expect_error([&] { import_doc(int_typed, b.bytes()); }, {"weight 'out/bias' has dtype int32"});

  json renamed = doc;
  renamed["weightsManifest"][0]["weights"][1]["name"] = "other/bias";
  expect_error(
      [&] { import_doc(renamed, b.bytes()); },
      {"layer 'out' (Dense): weight 'out/bias' is not in the weights manifest (it has: out/kernel, other/bias)"});

  json reshaped = doc;
  reshaped["weightsManifest"][0]["weights"][0]["shape"] = {3, 16};
  expect_error([&] { import_doc(reshaped, b.bytes()); },
               {"weight 'out/kernel' has shape [3, 16] but the layer needs [16, 3]"});

  std::vector<uint8_t> short_bytes = b.bytes();
  short_bytes.resize(short_bytes.size() - 4);
  expect_error([&] { import_doc(doc, short_bytes); },
               {"weight 'out/bias' needs bytes", "a shard is missing or cut short"});
}

TEST(TfjsImportTest, DocumentsThatAreNotLayersModelsAreNamed) {
  expect_error([] { import_tfjs_model("{nope", {}); }, {"model.json is not valid JSON"});
  expect_error([] { import_tfjs_model(R"({"format": "distillery-model", "version": 1})", {}); },
               {"this is a Distillery model file"});
  expect_error(
      [] { import_tfjs_model(R"({"format": "graph-model", "modelTopology": {}, "weightsManifest": []})", {}); },
      {"'graph-model', which has no layer list", "tfjs_layers_model"});
  expect_error(
      [] {
        import_tfjs_model(R"({"modelTopology": {"class_name": "Sequential", "config": {"layers": [
        {"class_name": "Dense", "config": {"name": "d", "units": 2}}]}}, "weightsManifest": []})",
                          {});
      },
      {"layer 'd' (Dense) has no batch_input_shape"});
  EXPECT_TRUE(is_tfjs_model_json(R"({"modelTopology": {}})"));
  EXPECT_FALSE(is_tfjs_model_json(R"({"format": "distillery-model"})"));
  EXPECT_FALSE(is_tfjs_model_json("not json"));
  EXPECT_FALSE(is_tfjs_model_json("[1, 2]"));
  EXPECT_TRUE(is_tfjs_model_json(R"({"format": "layers-model", "generatedBy": {"a": [1]}, "modelTopology": {}})"));
  // A Distillery file says so first; the sniffer stops there, whatever follows.
  EXPECT_FALSE(is_tfjs_model_json(R"({"format": "distillery-model", "modelTopology": {}})"));
  EXPECT_FALSE(is_tfjs_model_json(R"({"nested": {"modelTopology": {}}})"));
}

}  // namespace
}  // namespace distillery
