#pragma once
// The binary half of a TensorFlow.js Layers model: the "weightsManifest" of
// model.json and the weight shards (*.bin) it lists.
//
// The manifest is a list of groups; each group names its shard files
// ("paths") and its weights in storage order. A group's shards, concatenated,
// hold its weights back to back as little-endian values (float32: 4 bytes
// each, shape product many). Shards are handed over in manifest order: group
// by group, path by path (tfjs_shard_paths() lists them).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/core/shape.h"

namespace distillery {

// One weight of the manifest, decoded.
struct TfjsWeight {
  std::string name;        // as in the manifest, e.g. "dense_Dense1/kernel"
  Shape shape;             // [] for a scalar
  std::string dtype;       // "float32", "int32", ...
  std::string quantized;   // the storage dtype when quantized ("uint8", "uint16", "float16"), else empty
  std::vector<float> values;  // filled for float32 weights, dequantized when stored quantized
};

// Shard paths of the manifest, in the order the shards are expected. Throws
// Error when the manifest is malformed.
std::vector<std::string> tfjs_shard_paths(const nlohmann::json& weights_manifest);

// Decodes every weight of the manifest from its shards. Throws Error naming
// the weight or shard when the shards are missing, too short or too long, or
// when a "quantization" is not one TF.js writes (unknown dtype, a scale that
// is not a positive finite number, no min). Weights of other dtypes are
// listed (dtype set, no values): whoever needs them refuses them by name.
std::vector<TfjsWeight> decode_tfjs_weights(const nlohmann::json& weights_manifest,
                                            const std::vector<std::vector<uint8_t>>& shards);

// Float32 values as little-endian bytes, appended to out (any host order).
void append_float32_le(const float* values, size_t count, std::vector<uint8_t>& out);

}  // namespace distillery
