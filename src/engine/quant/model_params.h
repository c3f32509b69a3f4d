#pragma once
// Small lookups the quantization code shares: which layers carry an int8
// kernel, and a layer's parameter by name (through the ParamStore, so the
// layer classes need no quantization accessors).
#include <string>

#include "engine/model/model.h"

namespace distillery {

// Dense and Conv2D: the layers with a kernel quantized per output channel.
inline bool has_quantizable_kernel(const std::string& type) { return type == "dense" || type == "conv2d"; }
inline bool has_quantizable_kernel(const Layer& layer) { return has_quantizable_kernel(layer.type()); }

// Layer `layer`'s parameter called `name` ("kernel", "bias", "gamma", ...), or nullptr.
inline const ParamRef* find_param(const Model& model, int layer, const std::string& name) {
  for (int r : model.param_refs_of_layer(layer))
    if (model.params().refs[size_t(r)].spec.name == name) return &model.params().refs[size_t(r)];
  return nullptr;
}

}  // namespace distillery
