// The one list of built-in layer types (see layer_registry.h for why it is explicit).
#include <memory>

#include "engine/layers/activations.h"
#include "engine/layers/avgpool2d.h"
#include "engine/layers/batch_norm.h"
#include "engine/layers/conv2d.h"
#include "engine/layers/dense.h"
#include "engine/layers/dropout.h"
#include "engine/layers/flatten.h"
#include "engine/layers/layer_registry.h"
#include "engine/layers/maxpool2d.h"

namespace distillery {
namespace {

template <typename L>
void add_layer(LayerRegistry& registry, const char* type) {
  registry.add(type, [](const nlohmann::json& config) -> LayerPtr { return std::make_unique<L>(config); });
}

}  // namespace

void register_builtin_layers(LayerRegistry& registry) {
  add_layer<Dense>(registry, "dense");
  add_layer<Conv2D>(registry, "conv2d");
  add_layer<MaxPool2D>(registry, "maxpool2d");
  add_layer<AvgPool2D>(registry, "avgpool2d");
  add_layer<Flatten>(registry, "flatten");
  add_layer<Dropout>(registry, "dropout");
  add_layer<ReLU>(registry, "relu");
  add_layer<LeakyReLU>(registry, "leaky_relu");
  add_layer<Sigmoid>(registry, "sigmoid");
  add_layer<Tanh>(registry, "tanh");
  add_layer<BatchNorm>(registry, "batch_norm");
}

}  // namespace distillery
