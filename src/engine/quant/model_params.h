#pragma once
// Small lookups the quantization code shares: how the int8 forward runs each
// layer type, and a layer's parameter by name (through the ParamStore, so the
// layer classes need no quantization accessors).
#include <string>
#include <utility>

#include "engine/model/model.h"

namespace distillery {

// How the int8 forward runs a layer of each type: read by the planner
// (quantized_model.cpp) and by calibration, whose pass-through layers keep
// their input's range.
enum class Int8Role {
  kernel,           // dense, conv2d: int8 GEMM, the kernel quantized per output channel
  max_pool,         // maxpool2d on the int8 bytes
  relu,             // the max with the zero point (unless fused into the kernel before it)
  identity,         // flatten, dropout: the same bytes
  add,              // each input through a table into the output's units, summed, rounded once
  concatenate,      // each input requantized through a table
  global_avg_pool,  // int32 sums per channel, requantized once
  float_fallback,   // any other layer: dequantized, run in float, quantized again
};

inline Int8Role int8_role(const Layer& layer) {
  static const std::pair<const char*, Int8Role> kRoles[] = {
      {"dense", Int8Role::kernel},         {"conv2d", Int8Role::kernel},           {"maxpool2d", Int8Role::max_pool},
      {"relu", Int8Role::relu},            {"flatten", Int8Role::identity},        {"dropout", Int8Role::identity},
      {"add", Int8Role::add},              {"concatenate", Int8Role::concatenate},
      {"global_avg_pool2d", Int8Role::global_avg_pool},
  };
  const std::string type = layer.type();
  for (const auto& [name, role] : kRoles)
    if (type == name) return role;
  return Int8Role::float_fallback;
}

// Dense and Conv2D: the layers with a kernel quantized per output channel.
inline bool has_quantizable_kernel(const Layer& layer) { return int8_role(layer) == Int8Role::kernel; }

// Layer `layer`'s parameter called `name` ("kernel", "bias", "gamma", ...), or nullptr.
inline const ParamRef* find_param(const Model& model, int layer, const std::string& name) {
  for (int r : model.param_refs_of_layer(layer))
    if (model.params().refs[size_t(r)].spec.name == name) return &model.params().refs[size_t(r)];
  return nullptr;
}

}  // namespace distillery
