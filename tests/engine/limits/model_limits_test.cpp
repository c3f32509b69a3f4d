// The model size limits (src/engine/model/model_limits.h) and the JSON text
// limits (src/engine/io/json_limits.h): a model file or architecture asking
// for a billion units, a billion parameters, huge activations, thousands of
// layers or a million nesting levels fails at once with a message, before
// any weight buffer exists. Boundaries are proven on the check functions
// (building a model AT the parameter limit would need 768 MB); files over the
// limits go through load_model_json / parse_arch_spec end to end.
#include <gtest/gtest.h>

#include <chrono>

#include "engine/data/test_util.h"
#include "engine/io/json_limits.h"
#include "engine/io/model_json.h"
#include "engine/layers/layer_registry.h"
#include "engine/model/arch_spec.h"
#include "engine/model/model_limits.h"

namespace distillery {
namespace {

using Json = nlohmann::json;

// A model file with the given input shape and layers, and no weights: the
// limits must fail it before the (missing) weights are looked at.
std::string model_file(const Json& input_shape, const Json& layers) {
  Json doc{{"format", "distillery-model"}, {"version", 1}, {"input_shape", input_shape}, {"layers", layers},
           {"class_names", Json::array()}};
  return doc.dump();
}

LayerPtr built_layer(const Json& config, const Shape& input) {
  LayerPtr layer = LayerRegistry::instance().create(config);
  layer->build(input);
  return layer;
}

TEST(ModelLimitsTest, ValuesAreTheDocumentedOnes) {
  EXPECT_EQ(kMaxModelLayers, 1000);
  EXPECT_EQ(kMaxModelParameters, 67108864);
  EXPECT_EQ(kMaxSampleActivations, 16777216);
  EXPECT_EQ(JsonLimits{}.max_bytes, int64_t(1) << 30);
  EXPECT_EQ(JsonLimits{}.max_depth, 256);
}

TEST(ModelLimitsTest, ABillionUnitsFailsFastWithAMessage) {
  const auto start = std::chrono::steady_clock::now();
  EXPECT_ERROR_WITH(load_model_json(model_file({784}, {{{"type", "dense"}, {"units", 1000000000}}})), "layer 0 (dense)",
                    "units must be between 1 and 1048576");
  // Within the per-layer bound, but 784 x 1048576 weights: the parameter limit.
  EXPECT_ERROR_WITH(load_model_json(model_file({784}, {{{"type", "dense"}, {"units", 1048576}}})), "layer 0 (dense)",
                    "weights.kernel [784, 1048576]", "over the limit of 67108864 parameters");
  EXPECT_ERROR_WITH(parse_arch_spec("dense:1000000000", 10, 1), "UNITS must be a whole number from 1 to 1048576");
  Rng rng(1);
  EXPECT_ERROR_WITH(Model::from_layer_configs(parse_arch_spec("dense:1048576", 10, 1), Shape{4096}, rng),
                    "layer 0 (dense)", "over the limit of 67108864 parameters");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(ModelLimitsTest, TotalParametersAtTheLimit) {
  // dense 4096 -> 16384 without bias: exactly 2^26 weights.
  const LayerPtr at_limit = built_layer({{"type", "dense"}, {"units", 16384}, {"use_bias", false}}, Shape{4096});
  int64_t total = 0;
  check_layer_limits(*at_limit, Shape{16384}, total);
  EXPECT_EQ(total, kMaxModelParameters);
  const LayerPtr one_more = built_layer({{"type", "dense"}, {"units", 1}, {"use_bias", false}}, Shape{1});
  EXPECT_ERROR_WITH(check_layer_limits(*one_more, Shape{1}, total), "weights.kernel [1, 1]",
                    "over the limit of 67108864 parameters");
  // Spread over layers, the sum counts: two layers of 40 M each fail at the second.
  EXPECT_ERROR_WITH(load_model_json(model_file({5000}, {{{"type", "dense"}, {"units", 8000}},
                                                        {{"type", "dense"}, {"units", 8000}}})),
                    "layer 1 (dense)", "over the limit of 67108864 parameters");
}

TEST(ModelLimitsTest, MeasuringAModelAtTheLimitNeedsNoWeights) {
  // Building these would take 768 MB (weights, gradients, masks); measuring
  // runs the same checks and allocates none (tests/alloc counts the bytes).
  const std::vector<Json> at_limit{{{"type", "dense"}, {"units", 16384}, {"use_bias", false}}};
  EXPECT_EQ(Model::measure(at_limit, Shape{4096}).parameters, kMaxModelParameters);
  EXPECT_ERROR_WITH(Model::measure(at_limit, Shape{4097}), "layer 0 (dense)",
                    "over the limit of 67108864 parameters");
}

TEST(ModelLimitsTest, ActivationsPerSampleAtTheLimit) {
  // conv2d with 4096 filters on 64x64: 2^24 outputs per sample, the limit.
  const Json conv = {{"type", "conv2d"}, {"filters", 4096}, {"kernel_size", 1}, {"padding", "same"}};
  const LayerPtr at_limit = built_layer(conv, Shape{64, 64, 1});
  int64_t total = 0;
  check_layer_limits(*at_limit, at_limit->output_shape(), total);
  const LayerPtr over = built_layer(conv, Shape{64, 65, 1});
  total = 0;
  EXPECT_ERROR_WITH(check_layer_limits(*over, over->output_shape(), total), "output [64, 65, 4096]",
                    "over the limit of 16777216 values per sample");
  EXPECT_ERROR_WITH(load_model_json(model_file({512, 512, 3}, {{{"type", "conv2d"}, {"filters", 65536},
                                                                {"kernel_size", 3}, {"padding", "same"}}})),
                    "layer 0 (conv2d)", "output [512, 512, 65536]", "over the limit");
}

TEST(ModelLimitsTest, ConvolutionWorkspaceIsBounded) {
  // A 4096x4096 kernel over an 8x8 image with "same" padding has few weights
  // per filter row but would unroll 64 x 16 M values per sample (im2col).
  EXPECT_ERROR_WITH(load_model_json(model_file({8, 8, 1}, {{{"type", "conv2d"}, {"filters", 1},
                                                            {"kernel_size", 4096}, {"padding", "same"}}})),
                    "layer 0 (conv2d)", "4096x4096 kernel over 8x8 outputs", "16777216 unrolled values");
}

TEST(ModelLimitsTest, InputShapeIsCheckedWithoutOverflow) {
  // 2^24 per side: the product (2^72) overflows 64 bits; the check must not.
  EXPECT_ERROR_WITH(load_model_json(model_file({16777216, 16777216, 16777216}, {{{"type", "flatten"}}})),
                    "input [16777216, 16777216, 16777216]", "over the limit of 16777216 values");
  EXPECT_EQ(capped_elements(Shape{16777216, 16777216, 16777216}, kMaxSampleActivations), kMaxSampleActivations + 1);
  EXPECT_EQ(capped_elements(Shape{4096, 4096}, kMaxSampleActivations), kMaxSampleActivations);
  EXPECT_EQ(capped_elements(Shape{3, 0, 5}, 100), 0);
  Rng rng(1);
  EXPECT_ERROR_WITH(Model::from_layer_configs({{{"type", "flatten"}}}, Shape{1, 2, 3, 4}, rng), "1 to 3 dimensions");
}

TEST(ModelLimitsTest, NumberOfLayersAtTheLimit) {
  Json layers = Json::array();
  for (int i = 0; i < kMaxModelLayers - 1; ++i) layers.push_back({{"type", "relu"}});
  layers.push_back({{"type", "dense"}, {"units", 2}});
  Rng rng(1);
  const std::vector<Json> configs(layers.begin(), layers.end());
  EXPECT_EQ(Model::from_layer_configs(configs, Shape{3}, rng).num_layers(), kMaxModelLayers);
  layers.insert(layers.begin(), Json{{"type", "relu"}});
  EXPECT_ERROR_WITH(load_model_json(model_file({3}, layers)), "1001 layers", "limit of 1000");
}

std::string nested(int depth) { return std::string(size_t(depth), '[') + std::string(size_t(depth), ']'); }

TEST(JsonLimitsTest, DepthAtTheLimit) {
  EXPECT_NO_THROW(check_json_limits(nested(256), "doc"));
  EXPECT_ERROR_WITH(check_json_limits(nested(257), "doc"), "doc nests arrays/objects deeper than 256 levels",
                    "at byte 256");
  // Brackets inside strings, escaped quotes included, are text.
  EXPECT_NO_THROW(check_json_limits("[\"" + std::string(1000, '[') + "\\\"" + std::string(1000, '{') + "\"]", "doc"));
}

TEST(JsonLimitsTest, DeepModelFilesAndArchitecturesFailBeforeParsing) {
  // A million levels in "provenance" would overflow the stack when the parsed
  // document is copied; the scan rejects it first.
  std::string text = model_file({2}, {{{"type", "dense"}, {"units", 1}}});
  text.insert(text.size() - 1, ",\"provenance\":" + nested(1000000));
  EXPECT_ERROR_WITH(load_model_json(text), "the model file nests arrays/objects deeper than 256 levels");
  EXPECT_ERROR_WITH(parse_arch_spec("[" + nested(300) + "]", 3, 1),
                    "the JSON architecture nests arrays/objects deeper than 256 levels");
}

TEST(JsonLimitsTest, SizeAtTheLimit) {
  JsonLimits limits;
  limits.max_bytes = 100;
  EXPECT_NO_THROW(check_json_limits(std::string(100, ' '), "doc", limits));
  EXPECT_ERROR_WITH(check_json_limits(std::string(101, ' '), "doc", limits), "doc is 101 bytes",
                    "over the limit of 100 bytes");
}

}  // namespace
}  // namespace distillery
