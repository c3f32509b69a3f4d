#include "engine/layers/window_config.h"

#include <algorithm>

#include "engine/core/error.h"
#include "engine/kernels/im2col.h"

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

Padding explicit_padding(int top, int bottom, int left, int right) {
  Padding p{Padding::Kind::kExplicit, top, bottom, left, right};
  return top == 0 && bottom == 0 && left == 0 && right == 0 ? Padding{} : p;
}

Padding read_padding(const nlohmann::json& config, const std::string& layer) {
  auto it = config.find("padding");
  if (it == config.end() || *it == "valid") return Padding{};
  if (*it == "same") return Padding{Padding::Kind::kSame};
  auto side = [](const nlohmann::json& v) {
    return v.is_number_integer() && v.get<int64_t>() >= 0 && v.get<int64_t>() <= kMaxWindowSide;
  };
  auto pair = [&](const nlohmann::json& v) { return v.is_array() && v.size() == 2 && side(v[0]) && side(v[1]); };
  if (it->is_array() && it->size() == 2 && pair((*it)[0]) && pair((*it)[1]))
    return explicit_padding((*it)[0][0].get<int>(), (*it)[0][1].get<int>(), (*it)[1][0].get<int>(),
                            (*it)[1][1].get<int>());
  throw Error(layer + ": \"padding\" must be \"same\", \"valid\" or [[top, bottom], [left, right]] pixels, got " +
              it->dump());
}

nlohmann::json padding_json(const Padding& padding) {
  switch (padding.kind) {
    case Padding::Kind::kValid: return "valid";
    case Padding::Kind::kSame: return "same";
    case Padding::Kind::kExplicit: break;
  }
  return nlohmann::json::array({nlohmann::json::array({padding.top, padding.bottom}),
                                nlohmann::json::array({padding.left, padding.right})});
}

std::string keras_padding(const nlohmann::json& config, const std::string& layer) {
  const Padding p = read_padding(config, layer);
  require(p.kind != Padding::Kind::kExplicit, layer + ": explicit padding " + padding_json(p).dump() +
                                                  " (PyTorch's) has no TensorFlow.js form: Keras pads \"same\" or \"valid\"");
  return p.kind == Padding::Kind::kSame ? "same" : "valid";
}

Padding padding_pixels(const Padding& padding, const Shape& input, IntPair window, IntPair strides) {
  if (padding.kind != Padding::Kind::kSame) return padding;
  const WindowGeometry g = window_geometry(input[0], input[1], 1, window.h, window.w, strides.h, strides.w, true);
  auto after = [](int in, int out, int k, int s, int before) { return std::max((out - 1) * s + k - in, 0) - before; };
  return explicit_padding(g.pad_top, after(input[0], g.out_h, window.h, strides.h, g.pad_top), g.pad_left,
                          after(input[1], g.out_w, window.w, strides.w, g.pad_left));
}

WindowGeometry layer_window_geometry(const std::string& layer, const char* window_name, const Shape& input,
                                     IntPair window, IntPair strides, const Padding& padding) {
  const int in_h = input[0], in_w = input[1];
  if (padding.kind == Padding::Kind::kSame)
    return window_geometry(in_h, in_w, input[2], window.h, window.w, strides.h, strides.w, true);
  const Padding& p = padding;  // valid: all zero
  require(p.top < window.h && p.bottom < window.h && p.left < window.w && p.right < window.w,
          layer + ": padding " + padding_json(p).dump() + " reaches past the " + window_name + " " + pair_str(window) +
              " (each side's pad must be smaller than the window)");
  require(window.h <= in_h + p.top + p.bottom && window.w <= in_w + p.left + p.right,
          layer + ": " + window_name + " " + pair_str(window) + " is larger than the input " + std::to_string(in_h) +
              "x" + std::to_string(in_w) +
              (p.kind == Padding::Kind::kValid
                   ? " with \"valid\" padding (use \"same\" padding or a smaller " + std::string(window_name) + ")"
                   : std::string(" and its padding")));
  return window_geometry_padded(in_h, in_w, input[2], window.h, window.w, strides.h, strides.w, p.top, p.bottom, p.left,
                                p.right);
}

nlohmann::json pair_json(IntPair pair) { return nlohmann::json::array({pair.h, pair.w}); }

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
