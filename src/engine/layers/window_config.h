#pragma once
// Config fields shared by the windowed layers (conv2d, maxpool2d, avgpool2d),
// read the Keras way: a size is an int or a pair [h, w], padding is "valid"
// (the Keras default) or "same". Errors name the layer and the field.
#include <string>

#include <nlohmann/json.hpp>

#include "engine/core/shape.h"

namespace distillery {

struct IntPair {
  int h = 0;
  int w = 0;
  bool operator==(const IntPair& o) const { return h == o.h && w == o.w; }
};

// The field as a pair of positive ints (an int n means [n, n]). Throws Error when
// it is missing, mistyped, not positive or above kMaxWindowSide.
IntPair read_int_pair(const nlohmann::json& config, const std::string& layer, const char* key);
// The same, or fallback when the field is absent or null (Keras writes "strides": null).
IntPair read_int_pair(const nlohmann::json& config, const std::string& layer, const char* key, IntPair fallback);
// How a window meets the image's edges: "valid" (no padding, the Keras
// default), "same" (TensorFlow's: out = ceil(in / stride), the odd pixel
// after), or explicit [[top, bottom], [left, right]] pixels, the form of
// PyTorch's symmetric padding (a stride-2 3x3 conv with padding 1), which
// ONNX imports need.
struct Padding {
  enum class Kind { kValid, kSame, kExplicit };
  Kind kind = Kind::kValid;
  int top = 0, bottom = 0, left = 0, right = 0;  // kExplicit only
  bool operator==(const Padding& o) const {
    return kind == o.kind && top == o.top && bottom == o.bottom && left == o.left && right == o.right;
  }
};

// The "padding" field (absent: valid). Explicit pads of zero read as valid.
Padding read_padding(const nlohmann::json& config, const std::string& layer);
nlohmann::json padding_json(const Padding& padding);
// "valid" or "same" for a Keras/TF.js config; throws Error naming the layer
// for explicit pads, which Keras' windowed layers cannot hold.
std::string keras_padding(const nlohmann::json& config, const std::string& layer);
// Explicit [[top, bottom], [left, right]] pads (valid when all are zero).
Padding explicit_padding(int top, int bottom, int left, int right);

// The pixels `padding` adds on each side of input ([H, W, ...]): explicit
// pads as they are, TensorFlow's "same" rule for this size (the odd pixel
// after), none for valid. An explicit Padding (valid when all are zero).
Padding padding_pixels(const Padding& padding, const Shape& input, IntPair window, IntPair strides);

// The geometry of a window ("kernel" or "pool") over input ([H, W, C]);
// throws Error naming the layer when a valid window does not fit or an
// explicit pad reaches past it.
struct WindowGeometry;
WindowGeometry layer_window_geometry(const std::string& layer, const char* window_name, const Shape& input,
                                     IntPair window, IntPair strides, const Padding& padding);

nlohmann::json pair_json(IntPair pair);
// "3" for a square 3x3 window, "3x2" otherwise (for messages).
std::string pair_str(IntPair pair);

// Throws Error unless shape is an image [H, W, C] with positive sides.
void require_image_input(const std::string& layer, const Shape& shape);

// Windows and strides beyond this are surely mistakes (and would overflow sizes).
constexpr int kMaxWindowSide = 4096;

}  // namespace distillery
