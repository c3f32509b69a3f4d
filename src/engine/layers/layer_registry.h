#pragma once
// The layer kinds by type name (layer_kind.h), and building layers from their
// JSON config: {"type": "dense", "units": 128, ...}.
// The built-in layers are listed once, in builtin_layers.cpp (an explicit list
// rather than static registrars, which static-library linking silently drops).
#include <functional>
#include <cstdint>
#include <limits>
#include <map>
#include <type_traits>
#include <vector>
#include <string>

#include "engine/core/error.h"
#include "engine/layers/layer.h"
#include "engine/layers/layer_kind.h"

namespace distillery {

using LayerFactory = std::function<LayerPtr(const nlohmann::json& config)>;

class LayerRegistry {
 public:
  static LayerRegistry& instance();
  void add(LayerKind kind);
  // Throws Error naming the type when it is unknown or the config is bad.
  LayerPtr create(const nlohmann::json& config) const;
  bool contains(const std::string& type) const { return find(type) != nullptr; }
  std::vector<std::string> types() const;

  // The kinds in registration order; lookups return nullptr when nothing matches.
  const std::vector<const LayerKind*>& kinds() const { return order_; }
  const LayerKind* find(const std::string& type) const;
  const LayerKind& kind(const std::string& type) const;  // asserts the type is registered
  const LayerKind* find_tfjs_class(const std::string& class_name) const;
  const LayerKind* find_arch_token(const std::string& token) const;

 private:
  std::map<std::string, LayerKind> kinds_;
  std::vector<const LayerKind*> order_;
};

// Adds every built-in layer kind, one line each; defined in builtin_layers.cpp.
void register_builtin_layers(LayerRegistry& registry);

// False when a JSON number does not fit the integer type T: get<int>() of
// 5.9e62 is undefined behaviour and of 4294967298 silently 2 (found by
// fuzz_arch_spec). Anything else (a non-number, a non-integer T) is left to get<T>().
template <typename T>
bool json_integer_fits(const nlohmann::json& v) {
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    using limits = std::numeric_limits<T>;
    if (v.is_number_float()) {
      const double d = v.get<double>();
      return d >= double(limits::min()) && d < double(limits::max()) + 1.0;  // max + 1 is a power of 2: exact
    }
    if (v.is_number_unsigned()) return v.get<uint64_t>() <= uint64_t(limits::max());
    if (v.is_number_integer()) {
      const int64_t i = v.get<int64_t>();
      return i >= int64_t(limits::min()) && (i < 0 || uint64_t(i) <= uint64_t(limits::max()));
    }
  }
  return true;
}

// Reads a config field with a clear error when it is missing or mistyped.
template <typename T>
T config_value(const nlohmann::json& config, const char* key) {
  auto it = config.find(key);
  if (it == config.end())
    throw Error("layer '" + config.value("type", std::string("?")) + "' needs \"" + key + "\"");
  if (!json_integer_fits<T>(*it))
    throw Error("layer '" + config.value("type", std::string("?")) + "': \"" + key + "\" is " + it->dump() +
                ", out of range");
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
