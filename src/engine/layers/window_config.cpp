#include "engine/layers/window_config.h"

#include "engine/core/error.h"

namespace distillery {
namespace {

bool is_positive_side(const nlohmann::json& value) {
  return value.is_number_integer() && value.get<int64_t>() > 0 && value.get<int64_t>() <= kMaxWindowSide;
}

}  // namespace

IntPair read_int_pair(const nlohmann::json& config, const std::string& layer, const char* key) {
  auto it = config.find(key);
  if (it == config.end() || it->is_null()) throw Error("layer '" + layer + "' needs \"" + key + "\"");
  const nlohmann::json& value = *it;
  if (is_positive_side(value)) return {value.get<int>(), value.get<int>()};
  if (value.is_array() && value.size() == 2 && is_positive_side(value[0]) && is_positive_side(value[1]))
    return {value[0].get<int>(), value[1].get<int>()};
  throw Error(layer + ": \"" + key + "\" must be a positive integer or a pair [h, w] of them (at most " +
              std::to_string(kMaxWindowSide) + "), got " + value.dump());
}

IntPair read_int_pair(const nlohmann::json& config, const std::string& layer, const char* key, IntPair fallback) {
  auto it = config.find(key);
  if (it == config.end() || it->is_null()) return fallback;
  return read_int_pair(config, layer, key);
}

bool read_same_padding(const nlohmann::json& config, const std::string& layer) {
  auto it = config.find("padding");
  if (it == config.end()) return false;
  if (*it == "same") return true;
  if (*it == "valid") return false;
  throw Error(layer + ": \"padding\" must be \"same\" or \"valid\", got " + it->dump());
}

nlohmann::json pair_json(IntPair pair) { return nlohmann::json::array({pair.h, pair.w}); }

const char* padding_name(bool same_padding) { return same_padding ? "same" : "valid"; }

std::string pair_str(IntPair pair) {
  if (pair.h == pair.w) return std::to_string(pair.h);
  return std::to_string(pair.h) + "x" + std::to_string(pair.w);
}

void require_image_input(const std::string& layer, const Shape& shape) {
  require(shape.rank() == 3, layer + " expects an image [H, W, C] but got " + shape.str());
  require(shape[0] > 0 && shape[1] > 0 && shape[2] > 0, layer + " got an empty image " + shape.str());
  require(shape.size() < (int64_t{1} << 31), layer + ": the image " + shape.str() + " is too large");
}

}  // namespace distillery
