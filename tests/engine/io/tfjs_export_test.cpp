// TF.js Layers export: the model.json TF.js expects (format, topology dialect,
// input shape, folded activations, softmax output, unique names), the weight
// manifest (trainable first, sizes), pruned weights as zeros, and export ->
// import giving back the same logits, class names and preprocessing.
#include "engine/io/tfjs_export.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "engine/io/tfjs_import.h"
#include "engine/io/tfjs_test_util.h"
#include "engine/io/tfjs_weights.h"
#include "engine/quant/quant_math.h"

namespace distillery {
namespace {

using nlohmann::json;
using test::expect_error;

Model make_model(const std::vector<json>& layers, const Shape& input, uint64_t seed = 7) {
  Rng rng(seed);
  Model m = Model::from_layer_configs(layers, input, rng);
  // Beyond the initialisation (biases 0, BN identity), so every weight matters.
  for (float& v : m.params().values) v += rng.uniform(-0.3f, 0.3f);
  for (int i = 0; i < m.num_layers(); ++i)
    for (int r : m.param_refs_of_layer(i))
      if (m.params().refs[r].spec.name == "moving_variance")
        for (int64_t k = 0; k < m.params().refs[r].size(); ++k)
          m.params().values[m.params().refs[r].offset + k] += 0.5f;
  m.class_names.clear();
  for (int k = 0; k < m.num_outputs(); ++k) m.class_names.push_back("c" + std::to_string(k));
  return m;
}

Model mlp() {
  return make_model({{{"type", "flatten"}},
                     {{"type", "dense"}, {"units", 6}},
                     {{"type", "relu"}},
                     {{"type", "dropout"}, {"rate", 0.2}},
                     {{"type", "dense"}, {"units", 3}}},
                    Shape{3, 3, 1});
}

Model cnn_with_batch_norm() {
  return make_model({{{"type", "conv2d"}, {"filters", 3}, {"kernel_size", 3}, {"padding", "same"}, {"use_bias", false}},
                     {{"type", "batch_norm"}, {"momentum", 0.9}, {"epsilon", 0.001}},
                     {{"type", "leaky_relu"}, {"alpha", 0.1}},
                     {{"type", "maxpool2d"}, {"pool_size", 2}},
                     {{"type", "conv2d"}, {"filters", 2}, {"kernel_size", {2, 1}}, {"strides", 1}},
                     {{"type", "tanh"}},
                     {{"type", "avgpool2d"}, {"pool_size", 2}, {"padding", "same"}},
                     {{"type", "flatten"}},
                     {{"type", "batch_norm"}},
                     {{"type", "dense"}, {"units", 4}}},
                    Shape{6, 6, 3});
}

Model reimport(const TfjsModelFiles& files) { return import_tfjs_model(files.model_json, {files.weights}); }

void expect_same_logits(Model& a, Model& b) {
  Rng rng(9);
  Tensor x(a.input_shape().with_batch(4));
  for (int64_t i = 0; i < x.size(); ++i) x[i] = rng.uniform(0.0f, 1.0f);
  const Tensor la = a.predict_logits(x), lb = b.predict_logits(x);
  ASSERT_EQ(la.shape(), lb.shape());
  for (int64_t i = 0; i < la.size(); ++i) EXPECT_EQ(la[i], lb[i]) << "logit " << i;
}

TEST(TfjsExportTest, ModelJsonIsATfjsLayersModelWithFoldedActivationsAndASoftmaxOutput) {
  Model m = mlp();
  m.name = "my student #1";
  const TfjsModelFiles files = export_tfjs_model(m);
  const json doc = json::parse(files.model_json);
  EXPECT_EQ(doc["format"], "layers-model");
  EXPECT_EQ(doc["generatedBy"], "Distillery");
  const json& top = doc["modelTopology"];
  EXPECT_EQ(top["class_name"], "Sequential");
  EXPECT_EQ(top["keras_version"], "tfjs-layers 4.22.0");
  EXPECT_EQ(top["backend"], "tensor_flow.js");
  EXPECT_EQ(top["config"]["name"], "my_student__1");
  const json& layers = top["config"]["layers"];
  ASSERT_EQ(layers.size(), 4u);  // the relu folded into the first Dense
  EXPECT_EQ(layers[0]["class_name"], "Flatten");
  EXPECT_EQ(layers[0]["config"]["batch_input_shape"], json::parse("[null, 3, 3, 1]"));
  EXPECT_EQ(layers[1]["class_name"], "Dense");
  EXPECT_EQ(layers[1]["config"]["activation"], "relu");
  EXPECT_EQ(layers[1]["config"]["units"], 6);
  EXPECT_EQ(layers[2]["class_name"], "Dropout");
  EXPECT_FLOAT_EQ(layers[2]["config"]["rate"].get<float>(), 0.2f);
  EXPECT_EQ(layers[3]["config"]["activation"], "softmax");
  std::set<std::string> names;
  for (const json& l : layers) names.insert(l["config"]["name"].get<std::string>());
  EXPECT_EQ(names.size(), layers.size());

  const json& manifest = doc["weightsManifest"];
  ASSERT_EQ(manifest.size(), 1u);
  EXPECT_EQ(manifest[0]["paths"], json::array({"weights.bin"}));
  EXPECT_EQ(manifest[0]["weights"][0]["name"], layers[1]["config"]["name"].get<std::string>() + "/kernel");
  EXPECT_EQ(manifest[0]["weights"][0]["shape"], json::array({9, 6}));
  EXPECT_EQ(files.weights.size(), static_cast<size_t>(m.parameter_count()) * 4);

  const json& meta = doc["userDefinedMetadata"]["distillery"];
  EXPECT_EQ(meta["class_names"], json::array({"c0", "c1", "c2"}));
  EXPECT_EQ(meta["input_shape"], json::array({3, 3, 1}));
}

TEST(TfjsExportTest, ExportThenImportGivesTheSameLogitsNamesAndPreprocessing) {
  Model m = mlp();
  m.preprocessing.scale = 0.5f;
  m.preprocessing.mean = 0.25f;
  m.preprocessing.std = 2.0f;
  m.provenance = {{"accuracy", 0.9}};
  Model back = reimport(export_tfjs_model(m, "student.bin"));
  EXPECT_EQ(back.class_names, m.class_names);
  EXPECT_EQ(back.preprocessing.scale, 0.5f);
  EXPECT_EQ(back.preprocessing.mean, 0.25f);
  EXPECT_EQ(back.preprocessing.std, 2.0f);
  EXPECT_EQ(back.provenance["accuracy"], 0.9);
  EXPECT_EQ(back.layer_configs(), m.layer_configs());
  expect_same_logits(m, back);
}

TEST(TfjsExportTest, BatchNormStatisticsGoLastAndTheCnnRoundTrips) {
  Model m = cnn_with_batch_norm();
  const TfjsModelFiles files = export_tfjs_model(m);
  const json doc = json::parse(files.model_json);
  std::vector<std::string> classes;
  for (const json& l : doc["modelTopology"]["config"]["layers"]) classes.push_back(l["class_name"]);
  EXPECT_EQ(classes, (std::vector<std::string>{"Conv2D", "BatchNormalization", "LeakyReLU", "MaxPooling2D", "Conv2D",
                                               "AveragePooling2D", "Flatten", "BatchNormalization", "Dense"}));
  const json& weights = doc["weightsManifest"][0]["weights"];
  std::vector<std::string> suffixes;
  for (const json& w : weights) {
    const std::string name = w["name"];
    suffixes.push_back(name.substr(name.find('/') + 1));
  }
  EXPECT_EQ(suffixes,
            (std::vector<std::string>{"kernel", "gamma", "beta", "kernel", "bias", "gamma", "beta", "kernel", "bias",
                                      "moving_mean", "moving_variance", "moving_mean", "moving_variance"}));
  Model back = reimport(files);
  EXPECT_EQ(back.layer_configs(), m.layer_configs());
  expect_same_logits(m, back);
}

TEST(TfjsExportTest, PrunedWeightsAreWrittenAsZeros) {
  Model m = mlp();
  const ParamRef& kernel = m.params().refs[m.param_refs_of_layer(1)[0]];
  m.params().masks[kernel.offset + 4] = 0.0f;  // masked, value left non-zero on purpose
  ASSERT_NE(m.params().values[kernel.offset + 4], 0.0f);
  const TfjsModelFiles files = export_tfjs_model(m);
  const auto decoded = decode_tfjs_weights(json::parse(files.model_json)["weightsManifest"], {files.weights});
  EXPECT_EQ(decoded[0].values[4], 0.0f);
  EXPECT_EQ(decoded[0].values[5], m.params().values[kernel.offset + 5]);
}

// Each quantized form: every manifest entry says how it is stored, the shard
// is that many bytes per weight, and the model imported back holds every weight
// within half its tensor's step (float16: binary16's rounding), pruned ones 0.
TEST(TfjsExportTest, QuantizedWeightsImportBackWithinHalfAStepWithPrunedZerosExact) {
  Model m = cnn_with_batch_norm();
  const ParamRef& kernel = m.params().refs[m.param_refs_of_layer(4)[0]];
  m.params().masks[kernel.offset + 2] = 0.0f;
  for (TfjsWeightDtype dtype : {TfjsWeightDtype::Uint8, TfjsWeightDtype::Uint16, TfjsWeightDtype::Float16}) {
    SCOPED_TRACE(tfjs_weight_dtype_name(dtype));
    const TfjsModelFiles files = export_tfjs_model(m, "weights.bin", dtype);
    EXPECT_EQ(files.weights.size(), static_cast<size_t>(m.parameter_count() * tfjs_weight_bytes_per_value(dtype)));
    for (const json& entry : json::parse(files.model_json)["weightsManifest"][0]["weights"]) {
      EXPECT_EQ(entry["dtype"], "float32");
      EXPECT_EQ(entry["quantization"]["dtype"], tfjs_weight_dtype_name(dtype)) << entry.dump();
    }
    Model back = reimport(files);
    const ParamStore& a = m.params();
    const ParamStore& b = back.params();
    ASSERT_EQ(a.refs.size(), b.refs.size());
    for (const ParamRef& ref : a.refs) {
      std::vector<float> exported(static_cast<size_t>(ref.size()));
      for (size_t k = 0; k < exported.size(); ++k)
        exported[k] = a.values[size_t(ref.offset) + k] * a.masks[size_t(ref.offset) + k];
      const int qmax = dtype == TfjsWeightDtype::Uint8 ? 255 : 65535;
      const double half_step = choose_tfjs_affine_range(exported.data(), exported.size(), qmax).scale / 2;
      for (size_t k = 0; k < exported.size(); ++k) {
        const float got = b.values[size_t(ref.offset) + k];
        if (exported[k] == 0.0f) {
          EXPECT_EQ(got, 0.0f) << ref.spec.name << "[" << k << "]";
        }
        if (dtype == TfjsWeightDtype::Float16)
          EXPECT_EQ(got, round_to_half(exported[k])) << ref.spec.name << "[" << k << "]";
        else
          EXPECT_LE(std::fabs(double(got) - exported[k]), half_step * (1 + 1e-6) + 1e-7) << ref.spec.name << "[" << k << "]";
      }
    }
  }
}

TEST(TfjsExportTest, Float32WeightsCarryNoQuantization) {
  for (const json& entry : json::parse(export_tfjs_model(mlp()).model_json)["weightsManifest"][0]["weights"])
    EXPECT_FALSE(entry.contains("quantization")) << entry.dump();
}

TEST(TfjsExportTest, AnOutputAfterAnActivationGetsASoftmaxLayer) {
  Model m = make_model({{{"type", "dense"}, {"units", 3}}, {{"type", "sigmoid"}}}, Shape{5});
  const json layers = json::parse(export_tfjs_model(m).model_json)["modelTopology"]["config"]["layers"];
  ASSERT_EQ(layers.size(), 2u);
  EXPECT_EQ(layers[0]["config"]["activation"], "sigmoid");
  EXPECT_EQ(layers[0]["config"]["batch_input_shape"], json::parse("[null, 5]"));
  EXPECT_EQ(layers[1]["class_name"], "Activation");
  EXPECT_EQ(layers[1]["config"]["activation"], "softmax");
  Model back = reimport(export_tfjs_model(m));
  expect_same_logits(m, back);
}

TEST(TfjsExportTest, NonFiniteWeightsAreRefused) {
  Model m = mlp();
  m.params().values[3] = std::nanf("");
  expect_error([&] { export_tfjs_model(m); }, {"layer 1 (dense): weights.kernel holds a NaN"});
}

}  // namespace
}  // namespace distillery
