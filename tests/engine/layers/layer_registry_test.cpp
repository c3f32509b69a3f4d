// The registry knows every built-in layer, and each config survives a round
// trip through LayerRegistry: create(config).config() == config, and again.
#include "engine/layers/layer_registry.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "engine/core/error.h"
#include "engine/layers/bound_layer.h"

namespace distillery {
namespace {

using nlohmann::json;

TEST(LayerRegistryTest, ListsEveryBuiltinLayer) {
  const std::vector<std::string> types = LayerRegistry::instance().types();
  for (const char* type : {"dense", "conv2d", "maxpool2d", "avgpool2d", "flatten", "dropout", "relu", "leaky_relu",
                           "sigmoid", "tanh"}) {
    EXPECT_NE(std::find(types.begin(), types.end(), type), types.end()) << type;
    EXPECT_TRUE(LayerRegistry::instance().contains(type)) << type;
  }
}

TEST(LayerRegistryTest, ConfigsRoundTrip) {
  // Each written in full (as config() writes it) and, where fields have
  // defaults or short forms, also in the short form with what config() must give.
  const std::vector<std::pair<json, json>> cases = {
      {json{{"type", "dense"}, {"units", 10}, {"use_bias", false}}, {}},
      {json{{"type", "conv2d"}, {"filters", 8}, {"kernel_size", 3}},
       json{{"type", "conv2d"}, {"filters", 8}, {"kernel_size", {3, 3}}, {"strides", {1, 1}}, {"padding", "valid"},
            {"use_bias", true}, {"kernel_initializer", "glorot_uniform"}}},
      {json{{"type", "conv2d"}, {"filters", 4}, {"kernel_size", {5, 3}}, {"strides", {2, 1}}, {"padding", "same"},
            {"use_bias", false}, {"kernel_initializer", "he_uniform"}},
       {}},
      {json{{"type", "maxpool2d"}, {"pool_size", 2}},
       json{{"type", "maxpool2d"}, {"pool_size", {2, 2}}, {"strides", {2, 2}}, {"padding", "valid"}}},
      {json{{"type", "avgpool2d"}, {"pool_size", {3, 2}}, {"strides", {1, 2}}, {"padding", "same"}}, {}},
      {json{{"type", "flatten"}}, {}},
      {json{{"type", "dropout"}, {"rate", 0.5}}, {}},
      {json{{"type", "relu"}}, {}},
      {json{{"type", "leaky_relu"}}, json{{"type", "leaky_relu"}, {"alpha", 0.3f}}},
      {json{{"type", "leaky_relu"}, {"alpha", 0.125}}, {}},
      {json{{"type", "sigmoid"}}, {}},
      {json{{"type", "tanh"}}, {}},
  };
  for (const auto& [config, expected] : cases) {
    SCOPED_TRACE(config.dump());
    LayerPtr layer = LayerRegistry::instance().create(config);
    EXPECT_EQ(layer->type(), config["type"]);
    const json written = layer->config();
    EXPECT_EQ(written, expected.is_null() ? config : expected);
    EXPECT_EQ(LayerRegistry::instance().create(written)->config(), written);
  }
}

TEST(LayerRegistryTest, RebuiltLayerComputesTheSame) {
  // A conv2d rebuilt from its config, given the same weights, gives the same output.
  const json config{{"type", "conv2d"}, {"filters", 3}, {"kernel_size", {3, 2}}, {"strides", 2}, {"padding", "same"}};
  test::BoundLayer original(config, Shape{7, 6, 2}, 5);
  test::BoundLayer rebuilt(original.layer->config(), Shape{7, 6, 2}, 99);
  rebuilt.params = original.params;
  rebuilt.layer->bind({rebuilt.params[0].data(), rebuilt.params[1].data()},
                      {rebuilt.grads[0].data(), rebuilt.grads[1].data()});
  const Tensor input = test::random_tensor(Shape{2, 7, 6, 2}, 8);
  EXPECT_EQ(original.forward(input).values(), rebuilt.forward(input).values());
}

TEST(LayerRegistryTest, UnknownTypeNamesTheKnownOnes) {
  try {
    LayerRegistry::instance().create(json{{"type", "conv3d"}});
    FAIL() << "no error";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("unknown layer type 'conv3d'"), std::string::npos) << message;
    EXPECT_NE(message.find("conv2d"), std::string::npos) << message;
    EXPECT_NE(message.find("leaky_relu"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace distillery
