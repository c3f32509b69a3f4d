#include "engine/layers/layer_registry.h"

#include <cassert>

#include "engine/core/error.h"

namespace distillery {
namespace {

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

LayerRegistry& LayerRegistry::instance() {
  static LayerRegistry* registry = [] {
    auto* r = new LayerRegistry;
    register_builtin_layers(*r);
    return r;
  }();
  return *registry;
}

void LayerRegistry::add(LayerKind kind) {
  assert(kind.create && !kind.type.empty() && kinds_.count(kind.type) == 0);
  const std::string type = kind.type;
  order_.push_back(&kinds_.emplace(type, std::move(kind)).first->second);
}

const LayerKind* LayerRegistry::find(const std::string& type) const {
  auto it = kinds_.find(type);
  return it == kinds_.end() ? nullptr : &it->second;
}

const LayerKind& LayerRegistry::kind(const std::string& type) const {
  const LayerKind* found = find(type);
  assert(found != nullptr);
  return *found;
}

const LayerKind* LayerRegistry::find_tfjs_class(const std::string& class_name) const {
  for (const LayerKind* kind : order_)
    for (const std::string& c : kind->tfjs_classes)
      if (c == class_name) return kind;
  return nullptr;
}

const LayerKind* LayerRegistry::find_arch_token(const std::string& token) const {
  for (const LayerKind* kind : order_)
    for (const std::string& t : kind->arch_tokens)
      if (t == token) return kind;
  return nullptr;
}

LayerPtr LayerRegistry::create(const nlohmann::json& config) const {
  require(config.is_object(), "a layer must be a JSON object, got: " + config.dump().substr(0, 80));
  require(config.contains("type") && config["type"].is_string(), "a layer has no \"type\": " + config.dump().substr(0, 80));
  const std::string type = config["type"].get<std::string>();
  const LayerKind* kind = find(type);
  if (kind == nullptr) throw Error("unknown layer type '" + type + "' (known: " + join(types()) + ")");
  return kind->create(config);
}

std::vector<std::string> LayerRegistry::types() const {
  std::vector<std::string> out;
  for (const auto& kv : kinds_) out.push_back(kv.first);
  return out;
}

}  // namespace distillery
