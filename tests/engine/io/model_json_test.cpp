// The model file: bit-identical round trips in both weight encodings (masks
// included), and a clear, specific error for every way a file can be wrong.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <limits>

#include "engine/core/error.h"
#include "engine/io/model_json.h"

namespace distillery {
namespace {

using Json = nlohmann::json;

// A float from random bits: covers denormals, negative zero, tiny and huge
// magnitudes, everything but NaN and infinity.
float random_finite_float(Rng& rng) {
  for (;;) {
    const uint32_t bits = rng.next_u32();
    float f;
    std::memcpy(&f, &bits, sizeof f);
    if (std::isfinite(f)) return f;
  }
}

// conv -> relu -> pool -> flatten -> dense -> relu -> dropout -> dense: every
// kind of layer the format must carry, small enough to be quick.
Model make_model(uint64_t seed) {
  std::vector<Json> layers{
      {{"type", "conv2d"}, {"filters", 3}, {"kernel_size", 3}, {"padding", "same"}},
      {{"type", "relu"}},
      {{"type", "maxpool2d"}, {"pool_size", 2}},
      {{"type", "flatten"}},
      {{"type", "dense"}, {"units", 5}},
      {{"type", "leaky_relu"}, {"alpha", 0.1}},
      {{"type", "dropout"}, {"rate", 0.1}},
      {{"type", "dense"}, {"units", 3}},
  };
  Rng rng(seed);
  Model model = Model::from_layer_configs(layers, Shape{6, 6, 1}, rng);
  model.class_names = {"cat", "dog", "bird"};
  model.name = "tiny \"test\" model";
  model.preprocessing.scale = 1.0f / 255.0f;
  model.preprocessing.mean = 0.1307f;
  model.preprocessing.std = 0.3081f;
  model.provenance = {{"trained_from", "unit test"}, {"settings", {{"epochs", 3}, {"lr", 0.001}}}, {"accuracy", 0.5}};
  return model;
}

void randomize_weights(Model& model, uint64_t seed) {
  Rng rng(seed);
  for (float& v : model.params().values) v = random_finite_float(rng);
  model.params().values[0] = -0.0f;
  model.params().values[1] = std::numeric_limits<float>::denorm_min();
}

// Prunes every third weight of each prunable tensor.
void prune_some(Model& model) {
  ParamStore& params = model.params();
  for (const ParamRef& ref : params.refs) {
    if (!ref.spec.prunable) continue;
    for (int64_t k = 0; k < ref.size(); k += 3) params.masks[size_t(ref.offset + k)] = 0.0f;
  }
  params.apply_masks();
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

void expect_same_model(const Model& a, const Model& b) {
  EXPECT_TRUE(same_bits(a.params().values, b.params().values));
  EXPECT_TRUE(same_bits(a.params().masks, b.params().masks));
  EXPECT_EQ(a.input_shape(), b.input_shape());
  EXPECT_EQ(a.layer_configs(), b.layer_configs());
  EXPECT_EQ(a.class_names, b.class_names);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.provenance, b.provenance);
  EXPECT_EQ(a.preprocessing.scale, b.preprocessing.scale);
  EXPECT_EQ(a.preprocessing.mean, b.preprocessing.mean);
  EXPECT_EQ(a.preprocessing.std, b.preprocessing.std);
}

TEST(ModelJson, ArrayEncodingRoundTripsBitIdentically) {
  Model model = make_model(1);
  randomize_weights(model, 2);
  const std::string text = save_model_json(model);
  Model loaded = load_model_json(text);
  expect_same_model(model, loaded);
  // Saving the loaded model gives the same text: nothing drifts.
  EXPECT_EQ(save_model_json(loaded), text);
}

TEST(ModelJson, Base64EncodingRoundTripsBitIdentically) {
  Model model = make_model(3);
  randomize_weights(model, 4);
  const std::string text = save_model_json(model, {WeightsEncoding::kBase64, -1});
  EXPECT_EQ(text.find('\n'), text.size() - 1);  // one compact line
  EXPECT_NE(text.find("\"base64\""), std::string::npos);
  EXPECT_EQ(text.find("\"data\""), std::string::npos);
  expect_same_model(model, load_model_json(text));
}

TEST(ModelJson, MasksRoundTripInBothEncodingsAndOnlyWherePruned) {
  for (const WeightsEncoding encoding : {WeightsEncoding::kArray, WeightsEncoding::kBase64}) {
    Model model = make_model(5);
    randomize_weights(model, 6);
    EXPECT_EQ(save_model_json(model, {encoding, 2}).find("\"mask\""), std::string::npos);
    prune_some(model);
    const std::string text = save_model_json(model, {encoding, 2});
    Model loaded = load_model_json(text);
    expect_same_model(model, loaded);
    EXPECT_TRUE(loaded.params().has_pruning());
    const Json doc = Json::parse(text);
    EXPECT_TRUE(doc["layers"][0].contains("mask"));   // conv kernel pruned
    EXPECT_EQ(doc["layers"][0]["mask"].size(), 1u);    // the bias is not prunable
    EXPECT_FALSE(doc["layers"][1].contains("mask"));  // relu has no weights
    EXPECT_EQ(doc["nonzero_params"].get<int64_t>(), model.nonzero_parameter_count());
    EXPECT_LT(doc["nonzero_params"].get<int64_t>(), doc["params"].get<int64_t>());
  }
}

// In base64 a pruned tensor keeps only what its mask keeps, and the mask is
// bits: a 90 % pruned model's file is a fraction of the dense one, where a
// float32 mask beside every weight made it twice as large.
TEST(ModelJson, PrunedTensorsInBase64StoreOnlyTheKeptWeightsAndAMaskOfBits) {
  Model model = make_model(11);
  randomize_weights(model, 12);
  const Json dense = Json::parse(save_model_json(model, {WeightsEncoding::kBase64, -1}));
  ParamStore& params = model.params();
  for (const ParamRef& ref : params.refs) {  // 90 % of every kernel
    if (!ref.spec.prunable) continue;
    for (int64_t k = 0; k < ref.size(); ++k)
      if (k % 10 != 3) params.masks[size_t(ref.offset + k)] = 0.0f;
  }
  params.apply_masks();
  const std::string text = save_model_json(model, {WeightsEncoding::kBase64, -1});
  expect_same_model(model, load_model_json(text));

  const Json doc = Json::parse(text);
  for (const size_t layer : {size_t(0), size_t(4)}) {  // the conv and the dense kernel
    const size_t before = dense["layers"][layer]["weights"]["kernel"]["base64"].get<std::string>().size();
    const size_t after = doc["layers"][layer]["weights"]["kernel"]["base64"].get<std::string>().size() +
                         doc["layers"][layer]["mask"]["kernel"]["base64"].get<std::string>().size();
    EXPECT_LT(after, before * 2 / 10) << "layer " << layer << ": a tenth of the weights and a bit for each";
  }
  EXPECT_EQ(doc["version"], kSparseModelFormatVersion);
  const Json& conv = doc["layers"][0];
  EXPECT_EQ(conv["mask"]["kernel"]["dtype"], "bit");
  EXPECT_EQ(conv["weights"]["kernel"]["sparse"], true);
  EXPECT_FALSE(conv["weights"]["bias"].contains("sparse")) << "the bias is not pruned";
  // The array encoding stays the readable, version-1 form.
  const Json readable = Json::parse(save_model_json(model, {WeightsEncoding::kArray, -1}));
  EXPECT_EQ(readable["version"], kFloatModelFormatVersion);
  EXPECT_FALSE(readable["layers"][0]["weights"]["kernel"].contains("sparse"));
  expect_same_model(model, load_model_json(readable.dump()));
}

// Found by fuzz_model_json: a dense file with a weight under a 0 in its mask.
// The weight loads as +0 (what pruning leaves), so the compact form, which
// drops it, loads back the same model.
TEST(ModelJson, AWeightUnderAZeroInItsMaskLoadsAsZero) {
  Model model = make_model(15);
  randomize_weights(model, 16);
  prune_some(model);
  Json doc = Json::parse(save_model_json(model, {WeightsEncoding::kArray, -1}));
  Json& kernel = doc["layers"][0]["weights"]["kernel"]["data"];
  const Json& mask = doc["layers"][0]["mask"]["kernel"]["data"];
  size_t pruned = 0;
  while (mask[pruned] != 0) ++pruned;
  kernel[pruned] = -1.5;
  const Model loaded = load_model_json(doc.dump());
  const ParamRef& ref = loaded.params().refs[0];
  const float value = loaded.params().values[size_t(ref.offset) + pruned];
  EXPECT_EQ(value, 0.0f);
  EXPECT_FALSE(std::signbit(value));
  expect_same_model(loaded, load_model_json(save_model_json(loaded, {WeightsEncoding::kBase64, -1})));
}

TEST(ModelJson, SparseTensorsWithoutAMaskOrOfTheWrongLengthAreClearErrors) {
  Model model = make_model(13);
  randomize_weights(model, 14);
  prune_some(model);
  const Json good = Json::parse(save_model_json(model, {WeightsEncoding::kBase64, -1}));
  auto error_of = [](const Json& doc) {
    try {
      load_model_json(doc.dump());
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  Json no_mask = good;
  no_mask["layers"][0].erase("mask");
  EXPECT_EQ(error_of(no_mask),
            "layer 0 (conv2d): weights.kernel is sparse (values only where its mask keeps them) but it has no mask");
  Json short_values = good;
  Json& kernel = short_values["layers"][0]["weights"]["kernel"];
  kernel["base64"] = Json::parse(save_model_json(make_model(13), {WeightsEncoding::kBase64, -1}))["layers"][0]
                         ["weights"]["kernel"]["base64"];  // every weight, not the kept ones
  EXPECT_NE(error_of(short_values).find("layer 0 (conv2d): weights.kernel.base64 holds"), std::string::npos);
  EXPECT_NE(error_of(short_values).find("values but its mask keeps"), std::string::npos);
  Json bad_bits = good;
  bad_bits["layers"][0]["mask"]["kernel"]["base64"] = "AA==";
  EXPECT_NE(error_of(bad_bits).find("layer 0 (conv2d): mask.kernel.base64 holds 1 bytes but"), std::string::npos)
      << error_of(bad_bits);
  Json bit_data = good;
  bit_data["layers"][0]["mask"]["kernel"].erase("base64");
  bit_data["layers"][0]["mask"]["kernel"]["data"] = Json::array();
  EXPECT_NE(error_of(bit_data).find("mask.kernel.data has 0 values"), std::string::npos) << error_of(bit_data);
  Json not_true = good;
  not_true["layers"][0]["weights"]["kernel"]["sparse"] = 1;
  EXPECT_EQ(error_of(not_true), "layer 0 (conv2d): weights.kernel.sparse is 1: it is true when present");
}

TEST(ModelJson, DocumentHasTheDocumentedFields) {
  Model model = make_model(7);
  const Json doc = Json::parse(save_model_json(model));
  EXPECT_EQ(doc["format"], "distillery-model");
  EXPECT_EQ(doc["version"], 1);
  EXPECT_EQ(doc["input_shape"], Json::array({6, 6, 1}));
  EXPECT_EQ(doc["preprocessing"]["color"], "gray");
  EXPECT_EQ(doc["class_names"].size(), 3u);
  EXPECT_EQ(doc["layers"].size(), 8u);
  EXPECT_EQ(doc["layers"][0]["type"], "conv2d");
  EXPECT_EQ(doc["layers"][0]["weights"]["kernel"]["shape"], Json::array({3, 3, 1, 3}));
  EXPECT_EQ(doc["layers"][0]["weights"]["kernel"]["data"].size(), 27u);
  EXPECT_EQ(doc["layers"][6]["rate"].dump(), "0.1");  // floats written short, not 0.10000000149011612
  EXPECT_EQ(doc["params"].get<int64_t>(), model.parameter_count());
  EXPECT_EQ(doc["provenance"]["trained_from"], "unit test");
}

TEST(ModelJson, ShortFloatTextStillReadsBackExactly) {
  // Values whose shortest float text is short but whose double is long.
  Model model = make_model(8);
  float* w = model.params().values.data();
  w[0] = 0.1f;
  w[1] = 1e-45f;
  w[2] = 3.4028235e38f;
  w[3] = -1.17549435e-38f;
  w[4] = 16777217.0f;
  const std::string text = save_model_json(model);
  EXPECT_NE(text.find("0.1,"), std::string::npos);
  expect_same_model(model, load_model_json(text));
}

TEST(ModelJson, SavingRefusesNonFiniteWeightsAndUnknownEncodings) {
  Model model = make_model(9);
  // An encoding is a WeightsEncoding, so the refusal of an unknown one is its name table's, for every front end.
  try {
    weights_encoding_names().parse("hex");
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "unknown weights encoding 'hex' (use array or base64)");
  }
  model.params().values[model.params().refs[2].offset + 4] = std::nanf("");
  try {
    save_model_json(model);
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("layer 4 (dense): weights.kernel holds a NaN"), std::string::npos) << e.what();
  }
}

// ---------------------------------------------------------------- validation

Json valid_document(const char* encoding = "array") {
  Model model = make_model(10);
  return Json::parse(save_model_json(model, {weights_encoding_names().parse(encoding), -1}));
}

void expect_load_error(const std::string& text, const std::string& expected) {
  try {
    load_model_json(text);
    ADD_FAILURE() << "no error, expected: " << expected;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(expected), std::string::npos)
        << "message: " << e.what() << "\nexpected to contain: " << expected;
  }
}

void expect_load_error(const std::function<void(Json&)>& edit, const std::string& expected,
                       const char* encoding = "array") {
  Json doc = valid_document(encoding);
  edit(doc);
  expect_load_error(doc.dump(), expected);
}

TEST(ModelJsonValidation, DocumentLevelErrors) {
  expect_load_error("{\"format\": ", "not valid JSON");
  expect_load_error("[1, 2]", "must be a JSON object");
  expect_load_error("{\"modelTopology\": {}}", "TensorFlow.js model");
  expect_load_error([](Json& d) { d.erase("format"); }, "\"format\" is missing");
  expect_load_error([](Json& d) { d["format"] = "keras"; }, "\"format\" is \"keras\"");
  expect_load_error([](Json& d) { d["version"] = 5; }, "\"version\" 5 is newer");
  expect_load_error([](Json& d) { d["version"] = "1"; }, "\"version\" must be an integer");
  expect_load_error([](Json& d) { d.erase("input_shape"); }, "\"input_shape\" is missing");
  expect_load_error([](Json& d) { d["input_shape"] = {6, -6, 1}; }, "\"input_shape\" must be an array of positive");
  expect_load_error([](Json& d) { d["input_shape"] = {1, 6, 6, 1}; }, "1 to 3 dimensions");
  expect_load_error([](Json& d) { d.erase("layers"); }, "\"layers\" is missing");
  expect_load_error([](Json& d) { d["layers"] = Json::array(); }, "\"layers\" is empty");
  expect_load_error([](Json& d) { d["params"] = 12; }, "\"params\" is 12 but the layers hold");
  expect_load_error([](Json& d) { d["name"] = 5; }, "\"name\" must be a string");
}

TEST(ModelJsonValidation, LayerErrorsNameTheLayer) {
  expect_load_error([](Json& d) { d["layers"][1] = 7; }, "layer 1 must be a JSON object");
  expect_load_error([](Json& d) { d["layers"][1].erase("type"); }, "layer 1: \"type\" is missing");
  expect_load_error([](Json& d) { d["layers"][1]["type"] = "gelu"; }, "layer 1 (gelu): unknown layer type 'gelu'");
  expect_load_error([](Json& d) { d["layers"][4].erase("units"); }, "layer 4 (dense)");
  expect_load_error([](Json& d) { d["layers"][2]["pool_size"] = 0; }, "layer 2 (maxpool2d)");
  // Removing the flatten puts a dense on an image.
  expect_load_error([](Json& d) { d["layers"].erase(3); }, "layer 3 (dense): dense expects a flat input");
  expect_load_error([](Json& d) { d["input_shape"] = {6, 6, 3}; }, "layer 0 (conv2d): weights.kernel has shape [3, 3, 1, 3]");
}

TEST(ModelJsonValidation, WeightErrorsNameLayerAndField) {
  expect_load_error([](Json& d) { d["layers"][4]["weights"].erase("kernel"); },
                    "layer 4 (dense): weights.kernel is missing");
  expect_load_error([](Json& d) { d["layers"][4]["weights"]["gamma"] = d["layers"][4]["weights"]["bias"]; },
                    "layer 4 (dense): weights has an unknown entry 'gamma' (expected kernel, bias)");
  expect_load_error([](Json& d) { d["layers"][1]["weights"] = {{"kernel", 1}}; },
                    "layer 1 (relu): weights has an unknown entry 'kernel' (expected none");
  expect_load_error([](Json& d) { d["layers"][4]["weights"]["kernel"]["shape"] = {5, 27}; },
                    "layer 4 (dense): weights.kernel has shape [5, 27] but the layer needs [27, 5]");
  expect_load_error([](Json& d) { d["layers"][4]["weights"]["bias"]["data"].erase(0); },
                    "layer 4 (dense): weights.bias.data has 4 values but shape [5] needs 5");
  expect_load_error([](Json& d) { d["layers"][4]["weights"]["bias"]["data"][2] = "x"; },
                    "layer 4 (dense): weights.bias.data[2] is string, not a number");
  expect_load_error([](Json& d) { d["layers"][4]["weights"]["bias"]["data"][1] = 1e39; },
                    "weights.bias.data[1] = 1e+39 is outside the float32 range");
  expect_load_error([](Json& d) { d["layers"][4]["weights"]["bias"]["base64"] = "AAAA"; },
                    "layer 4 (dense): weights.bias needs exactly one of \"data\" and \"base64\"");
  expect_load_error([](Json& d) { d["layers"][4]["weights"]["bias"].erase("shape"); },
                    "layer 4 (dense): weights.bias.shape is missing");
  expect_load_error([](Json& d) { d["layers"][7]["weights"] = 3; }, "layer 7 (dense): \"weights\" must be an object");
}

TEST(ModelJsonValidation, Base64Errors) {
  expect_load_error([](Json& d) { d["layers"][4]["weights"]["bias"]["base64"] = "AAAAAAAAAAA="; },
                    "layer 4 (dense): weights.bias.base64 holds 2 values but shape [5] needs 5", "base64");
  expect_load_error([](Json& d) { d["layers"][4]["weights"]["bias"]["base64"] = "AA*A"; },
                    "layer 4 (dense): weights.bias.base64: invalid base64 character", "base64");
  expect_load_error([](Json& d) { d["layers"][4]["weights"]["bias"]["base64"] = "AAA"; },
                    "weights.bias.base64: base64 text length 3", "base64");
  expect_load_error([](Json& d) { d["layers"][4]["weights"]["bias"]["base64"] = "AAAA"; },
                    "not a whole number of float32 values", "base64");
}

TEST(ModelJsonValidation, MaskErrors) {
  auto set_mask = [](Json& d, Json data) {
    d["layers"][7]["mask"] = {{"kernel", {{"shape", {5, 3}}, {"data", data}}}};
  };
  expect_load_error([&](Json& d) { set_mask(d, Json(std::vector<double>(15, 0.5))); },
                    "layer 7 (dense): mask.kernel value 0 is not 0 or 1");
  expect_load_error([&](Json& d) { set_mask(d, Json(std::vector<int>(14, 1))); },
                    "layer 7 (dense): mask.kernel.data has 14 values");
  expect_load_error([](Json& d) { d["layers"][7]["mask"] = {{"bias2", 1}}; },
                    "layer 7 (dense): mask has an unknown entry 'bias2'");
  expect_load_error([](Json& d) { d["layers"][7]["mask"] = 0; }, "layer 7 (dense): \"mask\" must be an object");
  // A valid mask loads and keeps the pruned entries.
  Json doc = valid_document();
  std::vector<int> mask(15, 1);
  mask[4] = 0;
  doc["layers"][7]["mask"] = {{"kernel", {{"shape", {5, 3}}, {"data", mask}}}};
  Model loaded = load_model_json(doc.dump());
  const ParamRef& ref = loaded.params().refs[loaded.param_refs_of_layer(7)[0]];
  EXPECT_EQ(loaded.params().masks[size_t(ref.offset + 4)], 0.0f);
  EXPECT_EQ(loaded.params().masks[size_t(ref.offset + 5)], 1.0f);
}

TEST(ModelJsonValidation, MetadataErrors) {
  expect_load_error([](Json& d) { d["class_names"] = {"a", "b"}; },
                    "\"class_names\" has 2 names but the model outputs 3 classes");
  expect_load_error([](Json& d) { d["class_names"] = {"a", "b", "a"}; }, "\"class_names\" lists \"a\" twice");
  expect_load_error([](Json& d) { d["class_names"] = {"a", 2, "c"}; }, "\"class_names\" must hold strings");
  expect_load_error([](Json& d) { d.erase("class_names"); }, "\"class_names\" is missing");
  expect_load_error([](Json& d) { d["preprocessing"]["std"] = 0; }, "preprocessing.std must be positive");
  expect_load_error([](Json& d) { d["preprocessing"]["scale"] = "x"; }, "preprocessing.scale must be a number");
  expect_load_error([](Json& d) { d["preprocessing"]["color"] = "rgb"; },
                    "preprocessing.color is \"rgb\" but input_shape [6, 6, 1] has 1 channel(s)");
  expect_load_error([](Json& d) { d["preprocessing"]["color"] = "cmyk"; }, "preprocessing.color must be");
}

TEST(ModelJsonValidation, OptionalFieldsHaveDefaults) {
  Json doc = valid_document();
  doc.erase("preprocessing");
  doc.erase("provenance");
  doc.erase("name");
  doc.erase("params");
  doc.erase("nonzero_params");
  Model loaded = load_model_json(doc.dump());
  EXPECT_FLOAT_EQ(loaded.preprocessing.scale, 1.0f / 255.0f);
  EXPECT_EQ(loaded.preprocessing.std, 1.0f);
  EXPECT_EQ(loaded.name, "model");
  EXPECT_TRUE(loaded.provenance.is_object());
}

}  // namespace
}  // namespace distillery
