// Architecture specs: the --arch text becomes the intended layer stack, bad
// tokens are named with their position, JSON architectures work, and
// describe_arch reads back to the same stack.
#include <gtest/gtest.h>

#include "engine/core/error.h"
#include "engine/model/arch_spec.h"

namespace distillery {
namespace {

using Json = nlohmann::json;

std::vector<std::string> types_of(const std::vector<Json>& layers) {
  std::vector<std::string> types;
  for (const Json& l : layers) types.push_back(l["type"].get<std::string>());
  return types;
}

Model build(const std::vector<Json>& layers, const Shape& input) {
  Rng rng(1);
  return Model::from_layer_configs(layers, input, rng);
}

void expect_error(const std::string& spec, const std::string& expected, int num_classes = 10) {
  try {
    parse_arch_spec(spec, num_classes);
    ADD_FAILURE() << "no error for '" << spec << "', expected: " << expected;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(expected), std::string::npos)
        << "spec: " << spec << "\nmessage: " << e.what() << "\nexpected to contain: " << expected;
  }
}

TEST(ArchSpec, CnnTeacherSpecBuildsTheIntendedStack) {
  const auto layers = parse_arch_spec("conv:32:3,pool:2,conv:64:3,pool:2,dense:128", 10);
  EXPECT_EQ(types_of(layers), (std::vector<std::string>{"conv2d", "relu", "maxpool2d", "conv2d", "relu", "maxpool2d",
                                                        "flatten", "dense", "relu", "dense"}));
  EXPECT_EQ(layers[0]["filters"], 32);
  EXPECT_EQ(layers[0]["kernel_size"], 3);
  EXPECT_EQ(layers[0]["padding"], "same");
  EXPECT_EQ(layers[0]["strides"], 1);
  EXPECT_EQ(layers[2]["pool_size"], 2);
  EXPECT_EQ(layers.back()["units"], 10);
  Model model = build(layers, Shape{28, 28, 1});
  EXPECT_EQ(model.num_outputs(), 10);
  // conv 3*3*1*32+32, conv 3*3*32*64+64, dense 7*7*64*128+128, output 128*10+10
  EXPECT_EQ(model.parameter_count(), 320 + 18496 + 401536 + 1290);
}

TEST(ArchSpec, MlpSpecGetsFlattenOnlyForImages) {
  EXPECT_EQ(types_of(parse_arch_spec("dense:256,dense:128", 10)),
            (std::vector<std::string>{"flatten", "dense", "relu", "dense", "relu", "dense"}));
  EXPECT_EQ(types_of(parse_arch_spec("dense:256, dense:128", 10, 1)),
            (std::vector<std::string>{"dense", "relu", "dense", "relu", "dense"}));
  Model model = build(parse_arch_spec("dense:256,dense:128", 10), Shape{28, 28, 1});
  EXPECT_EQ(model.parameter_count(), 784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10);
}

TEST(ArchSpec, ConvWithoutDenseStillEndsInFlattenAndOutput) {
  EXPECT_EQ(types_of(parse_arch_spec("conv:8:3,avgpool:2", 3)),
            (std::vector<std::string>{"conv2d", "relu", "avgpool2d", "flatten", "dense"}));
  EXPECT_EQ(types_of(parse_arch_spec("flatten", 3)), (std::vector<std::string>{"flatten", "dense"}));
}

TEST(ArchSpec, OptionsAndStandaloneLayers) {
  const auto layers =
      parse_arch_spec("conv:8:3x5:s2:valid:tanh,pool:3:s2:same,dropout:0.25,dense:16:linear,leaky_relu:0.1,sigmoid", 4);
  EXPECT_EQ(types_of(layers), (std::vector<std::string>{"conv2d", "tanh", "maxpool2d", "dropout", "flatten", "dense",
                                                        "leaky_relu", "sigmoid", "dense"}));
  EXPECT_EQ(layers[0]["kernel_size"], Json::array({3, 5}));
  EXPECT_EQ(layers[0]["strides"], 2);
  EXPECT_EQ(layers[0]["padding"], "valid");
  EXPECT_EQ(layers[2]["strides"], 2);
  EXPECT_EQ(layers[2]["padding"], "same");
  EXPECT_FLOAT_EQ(layers[3]["rate"].get<float>(), 0.25f);
  EXPECT_FLOAT_EQ(layers[6]["alpha"].get<float>(), 0.1f);
  EXPECT_EQ(build(layers, Shape{16, 16, 3}).num_outputs(), 4);
}

TEST(ArchSpec, ErrorsNameTheTokenAndPosition) {
  expect_error("conv:32:3,conv3:64:3", "unknown layer 'conv3' at position 2");
  expect_error("conv:x:3", "'conv:x:3' at position 1: FILTERS must be a whole number");
  expect_error("conv:8", "'conv:8' at position 1: expected conv:FILTERS:KERNEL");
  expect_error("conv:8:3:s0", "the stride after 's' must be");
  expect_error("conv:8:3:softmax", "unknown option 'softmax'");
  expect_error("dense:0", "'dense:0' at position 1: UNITS must be a whole number from 1");
  expect_error("dense:12.5", "UNITS must be a whole number");
  expect_error("dense:8:foo", "'dense:8:foo' at position 1: unknown option 'foo'");
  expect_error("dense:8:s2", "unknown option 's2'");
  expect_error("dropout:1.5", "'dropout:1.5' at position 1: the dropout rate must be in [0, 1)");
  expect_error("dropout:abc", "P must be a number");
  expect_error("dense:32,,dense:16", "empty layer at position 2");
  expect_error("dense:32,", "empty layer at position 2");
  expect_error("dense:32,conv:8:3", "'conv:8:3' at position 2 comes after a flat");
  expect_error("   ", "the architecture is empty");
  expect_error("dense:32", "at least 2 classes", 1);
}

TEST(ArchSpec, JsonArchitectures) {
  const auto from_array =
      parse_arch_spec(R"([{"type":"conv2d","filters":4,"kernel_size":3},{"type":"relu"},{"type":"dense","units":16}])", 3);
  EXPECT_EQ(types_of(from_array), (std::vector<std::string>{"conv2d", "relu", "flatten", "dense", "dense"}));
  EXPECT_EQ(from_array.back()["units"], 3);
  // A complete stack (a model file's layers, weights ignored) is taken as it is.
  const auto from_model = parse_arch_spec(
      R"({"format":"distillery-model","layers":[{"type":"flatten"},{"type":"dense","units":3,
          "weights":{"kernel":{"shape":[4,3],"data":[]}}}]})",
      3);
  EXPECT_EQ(types_of(from_model), (std::vector<std::string>{"flatten", "dense"}));
  EXPECT_FALSE(from_model[1].contains("weights"));
  expect_error(R"([{"type":"conv9"}])", "unknown layer type 'conv9' in layer 0 of the JSON architecture");
  expect_error(R"([{"units":3}])", "layer 0 of the JSON architecture must be an object with a \"type\"");
  expect_error(R"({"layer":[]})", "needs a \"layers\" array");
  expect_error("[{", "not valid JSON");
}

TEST(ArchSpec, DescribeReadsBackToTheSameStack) {
  const std::vector<std::string> specs = {
      "conv:32:3,pool:2,conv:64:3,pool:2,dense:128",
      "dense:256,dense:128",
      "conv:8:3x5:s2:valid:tanh,pool:3:s2:same,dropout:0.25,dense:16:linear,leaky_relu:0.1,sigmoid",
      "conv:4:3,avgpool:2,flatten,dropout:0.5,dense:8",
      "flatten",
  };
  for (const std::string& spec : specs) {
    Model model = build(parse_arch_spec(spec, 5), Shape{12, 12, 3});
    const std::string described = describe_arch(model);
    EXPECT_EQ(described, spec);
    Model again = build(parse_arch_spec(described, 5), Shape{12, 12, 3});
    EXPECT_EQ(again.layer_configs(), model.layer_configs()) << spec;
  }
}

}  // namespace
}  // namespace distillery
