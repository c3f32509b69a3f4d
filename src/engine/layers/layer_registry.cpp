#include "engine/layers/layer_registry.h"

#include "engine/core/error.h"

namespace distillery {

LayerRegistry& LayerRegistry::instance() {
  static LayerRegistry* registry = [] {
    auto* r = new LayerRegistry;
    register_builtin_layers(*r);
    return r;
  }();
  return *registry;
}

void LayerRegistry::add(const std::string& type, LayerFactory factory) { factories_[type] = std::move(factory); }

LayerPtr LayerRegistry::create(const nlohmann::json& config) const {
  require(config.is_object(), "a layer must be a JSON object, got: " + config.dump().substr(0, 80));
  require(config.contains("type") && config["type"].is_string(), "a layer has no \"type\": " + config.dump().substr(0, 80));
  const std::string type = config["type"].get<std::string>();
  auto it = factories_.find(type);
  if (it == factories_.end()) {
    std::string known;
    for (const auto& kv : factories_) known += (known.empty() ? "" : ", ") + kv.first;
    throw Error("unknown layer type '" + type + "' (known: " + known + ")");
  }
  return it->second(config);
}

std::vector<std::string> LayerRegistry::types() const {
  std::vector<std::string> out;
  for (const auto& kv : factories_) out.push_back(kv.first);
  return out;
}

}  // namespace distillery
