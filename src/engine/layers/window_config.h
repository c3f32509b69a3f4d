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
// True for "same", false for "valid" (or absent).
bool read_same_padding(const nlohmann::json& config, const std::string& layer);

nlohmann::json pair_json(IntPair pair);
const char* padding_name(bool same_padding);
// "3" for a square 3x3 window, "3x2" otherwise (for messages).
std::string pair_str(IntPair pair);

// Throws Error unless shape is an image [H, W, C] with positive sides.
void require_image_input(const std::string& layer, const Shape& shape);

// Windows and strides beyond this are surely mistakes (and would overflow sizes).
constexpr int kMaxWindowSide = 4096;

}  // namespace distillery
