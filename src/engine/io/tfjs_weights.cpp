#include "engine/io/tfjs_weights.h"

#include <cstring>

#include "engine/core/error.h"
#include "engine/io/tfjs_quantization.h"

namespace distillery {
namespace {

using Json = nlohmann::json;

// Bytes per value of the dtypes TF.js writes (strings have no fixed size).
int64_t bytes_per_value(const std::string& dtype) {
  if (dtype == "float32" || dtype == "int32" || dtype == "uint32") return 4;
  if (dtype == "float16" || dtype == "uint16" || dtype == "int16") return 2;
  if (dtype == "uint8" || dtype == "int8" || dtype == "bool") return 1;
  if (dtype == "complex64") return 8;
  return 0;
}

const Json& group_at(const Json& manifest, size_t g) {
  const Json& group = manifest[g];
  const std::string where = "weightsManifest[" + std::to_string(g) + "]";
  require(group.is_object(), where + " must be an object with \"paths\" and \"weights\"");
  require(group.contains("paths") && group["paths"].is_array(), where + ".paths is missing or not an array");
  require(group.contains("weights") && group["weights"].is_array(), where + ".weights is missing or not an array");
  for (const Json& path : group["paths"]) require(path.is_string(), where + ".paths must hold strings");
  return group;
}

// A manifest entry, and how its values are stored when that is a way Distillery decodes.
struct Entry {
  TfjsWeight weight;
  int64_t bytes_per_value = 0;  // 0: a dtype of no fixed size
  bool decodable = false;       // float32, plain or quantized
  TfjsWeightDtype storage = TfjsWeightDtype::Float32;
  Json quantization;
};

Entry read_entry(const Json& entry, const std::string& where) {
  require(entry.is_object(), where + " must be an object");
  TfjsWeight w;
  require(entry.contains("name") && entry["name"].is_string(), where + ".name is missing or not a string");
  w.name = entry["name"].get<std::string>();
  const std::string label = "weight '" + w.name + "'";
  require(entry.contains("shape") && entry["shape"].is_array(), label + ": \"shape\" is missing or not an array");
  for (const Json& d : entry["shape"]) {
    require(d.is_number_integer() && d.get<int64_t>() >= 0 && d.get<int64_t>() <= (1 << 24),
            label + ": \"shape\" must hold non-negative integers, got " + entry["shape"].dump());
    w.shape.dims.push_back(d.get<int>());
  }
  w.dtype = entry.value("dtype", std::string("float32"));
  Entry e;
  e.bytes_per_value = bytes_per_value(w.dtype);
  e.decodable = w.dtype == "float32";
  if (entry.contains("quantization") && !entry["quantization"].is_null()) {
    e.quantization = entry["quantization"];
    e.storage = read_tfjs_quantization(e.quantization, label);
    w.quantized = tfjs_weight_dtype_name(e.storage);
    e.bytes_per_value = tfjs_weight_bytes_per_value(e.storage);
  }
  e.weight = std::move(w);
  return e;
}

}  // namespace

std::vector<std::string> tfjs_shard_paths(const Json& manifest) {
  require(manifest.is_array(), "\"weightsManifest\" must be an array of groups");
  std::vector<std::string> paths;
  for (size_t g = 0; g < manifest.size(); ++g)
    for (const Json& path : group_at(manifest, g)["paths"]) paths.push_back(path.get<std::string>());
  return paths;
}

std::vector<TfjsWeight> decode_tfjs_weights(const Json& manifest, const std::vector<std::vector<uint8_t>>& shards) {
  const std::vector<std::string> paths = tfjs_shard_paths(manifest);
  require(shards.size() == paths.size(), "the manifest lists " + std::to_string(paths.size()) +
                                             " weight file(s) but " + std::to_string(shards.size()) + " were given");
  std::vector<TfjsWeight> weights;
  size_t next_shard = 0;
  for (size_t g = 0; g < manifest.size(); ++g) {
    const Json& group = manifest[g];
    // The group's shards read as one stream.
    std::vector<uint8_t> bytes;
    std::string files;
    for (const Json& path : group["paths"]) {
      const std::vector<uint8_t>& shard = shards[next_shard++];
      bytes.insert(bytes.end(), shard.begin(), shard.end());
      files += (files.empty() ? "" : ", ") + path.get<std::string>();
    }
    if (files.empty()) files = "no files";
    size_t offset = 0;
    const Json& entries = group["weights"];
    for (size_t e = 0; e < entries.size(); ++e) {
      Entry entry = read_entry(entries[e], "weightsManifest[" + std::to_string(g) + "].weights[" +
                                               std::to_string(e) + "]");
      TfjsWeight& w = entry.weight;
      require(entry.bytes_per_value > 0, "weight '" + w.name + "' has dtype '" + w.dtype +
                                             "', which has no fixed size: Distillery reads float32 weights");
      const size_t count = static_cast<size_t>(w.shape.size());
      const size_t size = count * static_cast<size_t>(entry.bytes_per_value);
      require(offset + size <= bytes.size(), "weight '" + w.name + "' needs bytes " + std::to_string(offset) + ".." +
                                                 std::to_string(offset + size) + " of " + files + ", which hold only " +
                                                 std::to_string(bytes.size()) + " (a shard is missing or cut short)");
      if (entry.decodable) w.values = decode_tfjs_values(bytes.data() + offset, count, entry.storage, entry.quantization);
      offset += size;
      weights.push_back(std::move(w));
    }
    require(offset == bytes.size(), files + " hold " + std::to_string(bytes.size()) + " bytes but the manifest's " +
                                        "weights take " + std::to_string(offset) +
                                        " (wrong or mismatched weight files?)");
  }
  return weights;
}

void append_float32_le(const float* values, size_t count, std::vector<uint8_t>& out) {
  out.reserve(out.size() + 4 * count);
  for (size_t i = 0; i < count; ++i) {
    uint32_t bits;
    std::memcpy(&bits, &values[i], sizeof bits);
    for (int b = 0; b < 4; ++b) out.push_back(static_cast<uint8_t>(bits >> (8 * b)));
  }
}

}  // namespace distillery
