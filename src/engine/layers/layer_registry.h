#pragma once
// Builds layers from their JSON config: {"type": "dense", "units": 128, ...}.
// The built-in layers are listed once, in builtin_layers.cpp (an explicit list
// rather than static registrars, which static-library linking silently drops).
#include <functional>
#include <map>
#include <vector>
#include <string>

#include "engine/core/error.h"
#include "engine/layers/layer.h"

namespace distillery {

using LayerFactory = std::function<LayerPtr(const nlohmann::json& config)>;

class LayerRegistry {
 public:
  static LayerRegistry& instance();
  void add(const std::string& type, LayerFactory factory);
  // Throws Error naming the type when it is unknown or the config is bad.
  LayerPtr create(const nlohmann::json& config) const;
  bool contains(const std::string& type) const { return factories_.count(type) != 0; }
  std::vector<std::string> types() const;

 private:
  std::map<std::string, LayerFactory> factories_;
};

// Adds every built-in layer type; defined in builtin_layers.cpp.
void register_builtin_layers(LayerRegistry& registry);

// Reads a config field with a clear error when it is missing or mistyped.
template <typename T>
T config_value(const nlohmann::json& config, const char* key) {
  auto it = config.find(key);
  if (it == config.end())
    throw Error("layer '" + config.value("type", std::string("?")) + "' needs \"" + key + "\"");
  try {
    return it->get<T>();
  } catch (const nlohmann::json::exception&) {
    throw Error("layer '" + config.value("type", std::string("?")) + "': \"" + key + "\" has the wrong type");
  }
}
template <typename T>
T config_value(const nlohmann::json& config, const char* key, T fallback) {
  if (!config.contains(key)) return fallback;
  return config_value<T>(config, key);
}

}  // namespace distillery
