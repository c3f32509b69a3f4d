// Quantized model files: every mode round-trips bit for bit in both weight
// encodings and predicts the same logits after reloading; the float reader
// still loads them (dequantized) and still writes float models as version 1;
// bad tables and scales get errors naming the layer and field.
#include <gtest/gtest.h>

#include <cmath>

#include "engine/core/rng.h"
#include "engine/data/test_util.h"
#include "engine/model/arch_spec.h"
#include "engine/quant/quantized_json.h"

namespace distillery {
namespace {

using Json = nlohmann::json;

Model small_cnn() {
  Rng rng(21);
  Model m = Model::from_layer_configs(parse_arch_spec("conv:4:3,pool:2,dense:12", 3), Shape{8, 8, 1}, rng);
  m.class_names = {"a", "b", "c"};
  // A pruned weight, to see the mask travel with the int8 kernel.
  m.params().values[5] = 0.0f;
  m.params().masks[5] = 0.0f;
  return m;
}

Tensor inputs(int n, uint64_t seed) {
  Rng rng(seed);
  Tensor t(Shape{n, 8, 8, 1});
  for (int64_t i = 0; i < t.size(); ++i) t[i] = rng.uniform();
  return t;
}

QuantizedModel quantized(QuantMode mode) { return quantize_model(small_cnn(), inputs(64, 1), {mode}); }

TEST(QuantizedJson, EveryModeRoundTripsBitExactly) {
  for (QuantMode mode : {QuantMode::Int8, QuantMode::Int8Weights, QuantMode::Float16}) {
    for (const char* encoding : {"array", "base64"}) {
      SCOPED_TRACE(std::string(quant_mode_name(mode)) + " " + encoding);
      QuantizedModel q = quantized(mode);
      const std::string text = save_quantized_model_json(q, {weights_encoding_names().parse(encoding), 1});
      EXPECT_TRUE(is_quantized_model_json(text));
      QuantizedModel again = load_quantized_model_json(text);
      EXPECT_EQ(save_quantized_model_json(again, {weights_encoding_names().parse(encoding), 1}), text);
      EXPECT_EQ(again.mode(), mode);
      EXPECT_EQ(again.reference().params().values, q.reference().params().values);
      EXPECT_EQ(again.reference().params().masks, q.reference().params().masks);
      const Tensor x = inputs(9, 2);
      const Tensor before = q.predict_logits(x), after = again.predict_logits(x);
      EXPECT_EQ(before.values(), after.values());
    }
  }
}

TEST(QuantizedJson, TheFileHoldsInt8TablesAndIsSmaller) {
  QuantizedModel q = quantized(QuantMode::Int8);
  const Json doc = Json::parse(save_quantized_model_json(q, {WeightsEncoding::kBase64, -1}));
  EXPECT_EQ(doc["version"], kSparseModelFormatVersion) << "pruned, in base64: the compact form";
  EXPECT_EQ(doc["quantization"]["mode"], "int8");
  EXPECT_EQ(doc["quantization"]["activations"].size(), size_t(q.reference().num_layers() + 1));
  const Json& kernel = doc["layers"][0]["weights"]["kernel"];
  EXPECT_EQ(kernel["dtype"], "int8");
  EXPECT_EQ(kernel["scales"].size(), 4u);
  EXPECT_EQ(doc["layers"][0]["weights"]["bias"]["dtype"], "int32");
  EXPECT_EQ(kernel["sparse"], true) << "the pruned weight is left out";
  EXPECT_TRUE(doc["layers"][0].contains("mask"));
  EXPECT_EQ(doc["layers"][0]["mask"]["kernel"]["dtype"], "bit");
  // In data the file keeps the form version-2 readers know: every int8 value, an int8 mask.
  const Json readable = Json::parse(save_quantized_model_json(q, {WeightsEncoding::kArray, -1}));
  EXPECT_EQ(readable["version"], 2);
  EXPECT_FALSE(readable["layers"][0]["weights"]["kernel"].contains("sparse"));
  EXPECT_EQ(readable["layers"][0]["mask"]["kernel"]["dtype"], "int8");
  // A model of some size (16,600 weights): its int8 weights take a quarter of
  // the float32 bytes; the file also carries scales, int32 biases and ranges.
  Rng rng(3);
  Model bigger = Model::from_layer_configs(parse_arch_spec("conv:8:3,pool:2,dense:32", 3), Shape{16, 16, 1}, rng);
  bigger.class_names = {"a", "b", "c"};
  Rng pixels(4);
  Tensor calibration(Shape{32, 16, 16, 1});
  for (int64_t i = 0; i < calibration.size(); ++i) calibration[i] = pixels.uniform();
  const QuantizedModel qb = quantize_model(bigger, calibration, {QuantMode::Int8});
  const double float_bytes = double(save_model_json(bigger, {WeightsEncoding::kBase64, -1}).size());
  const double int8_bytes = double(save_quantized_model_json(qb, {WeightsEncoding::kBase64, -1}).size());
  EXPECT_GE(float_bytes / int8_bytes, 3.5);
  EXPECT_GE(double(float32_weight_bytes(bigger)) / double(qb.weight_bytes()), 3.8);
}

TEST(QuantizedJson, TheFloatReaderLoadsQuantizedFilesAndFloatFilesStayVersion1) {
  QuantizedModel q = quantized(QuantMode::Int8);
  const Model m = load_model_json(save_quantized_model_json(q));
  EXPECT_EQ(m.params().values, q.reference().params().values);
  EXPECT_EQ(Json::parse(save_model_json(m))["version"], 1);
  EXPECT_FALSE(is_quantized_model_json(save_model_json(m)));
  EXPECT_ERROR_WITH(load_quantized_model_json(save_model_json(m)), "not quantized");
}

// Loads the int8 file after `edit` and expects every fragment in the error.
template <typename Edit>
void expect_error(Edit edit, std::initializer_list<std::string> fragments) {
  Json doc = Json::parse(save_quantized_model_json(quantized(QuantMode::Int8)));
  edit(doc);
  try {
    load_quantized_model_json(doc.dump());
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    for (const std::string& f : fragments)
      EXPECT_NE(std::string(e.what()).find(f), std::string::npos) << e.what() << " lacks " << f;
  }
}

TEST(QuantizedJson, BadTablesAndScalesAreNamed) {
  expect_error([](Json& d) { d["layers"][0]["weights"]["kernel"]["scales"][2] = 0; },
               {"layer 0 (conv2d): weights.kernel.scales[2] is 0", "positive, finite"});
  expect_error([](Json& d) { d["layers"][0]["weights"]["kernel"]["scales"][1] = "NaN"; },
               {"weights.kernel.scales[1]", "positive, finite"});
  expect_error([](Json& d) { d["layers"][0]["weights"]["kernel"]["scales"][1] = nullptr; },
               {"weights.kernel.scales[1] is null"});
  expect_error([](Json& d) { d["layers"][0]["weights"]["kernel"]["data"].erase(0); },
               {"layer 0 (conv2d): weights.kernel.data has 35 values but shape [3, 3, 1, 4] needs 36"});
  expect_error([](Json& d) { d["layers"][0]["weights"]["kernel"]["data"][3] = 200; },
               {"weights.kernel.data[3] = 200", "not an int8 value"});
  expect_error([](Json& d) { d["layers"][0]["weights"]["kernel"]["scales"].erase(0); },
               {"weights.kernel.scales has 3 values but the tensor has 4 channels"});
  expect_error([](Json& d) { d["layers"][0]["weights"]["kernel"]["dtype"] = "int4"; },
               {"weights.kernel.dtype is \"int4\"", "float32, float16, int8, int32"});
  expect_error([](Json& d) { d["layers"][0]["weights"]["bias"]["scales"][0] = 1.0; },
               {"quantization: layer 0 (conv2d): bias scale 0"});
  expect_error([](Json& d) { d["quantization"]["activations"][2]["scale"] = 0; },
               {"quantization.activations[2].scale is 0"});
  expect_error([](Json& d) { d["quantization"]["activations"].erase(1); },
               {"quantization.activations has", "the input and one per layer"});
  expect_error([](Json& d) { d["quantization"]["mode"] = "int3"; }, {"unknown quantization mode 'int3'"});
  expect_error([](Json& d) { d["layers"][0]["weights"]["kernel"]["base64"] = "AAAA";
                             d["layers"][0]["weights"]["kernel"].erase("data"); },
               {"weights.kernel.base64 holds 3 values but shape [3, 3, 1, 4] needs 36"});
}

}  // namespace
}  // namespace distillery
