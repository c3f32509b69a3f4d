#include "engine/layers/pooling2d.h"

#include <algorithm>

#include "engine/core/error.h"

namespace distillery {

Pooling2D::Pooling2D(const nlohmann::json& config, const std::string& type_name)
    : pool_size_(read_int_pair(config, type_name, "pool_size")),
      strides_(read_int_pair(config, type_name, "strides", pool_size_)),
      same_padding_(read_same_padding(config, type_name)) {}

nlohmann::json Pooling2D::config() const {
  return {{"type", type()},
          {"pool_size", pair_json(pool_size_)},
          {"strides", pair_json(strides_)},
          {"padding", padding_name(same_padding_)}};
}

Shape Pooling2D::build(const Shape& input_shape) {
  require_image_input(type(), input_shape);
  const int in_h = input_shape[0], in_w = input_shape[1];
  require(same_padding_ || (pool_size_.h <= in_h && pool_size_.w <= in_w),
          type() + ": pool " + pair_str(pool_size_) + " is larger than the input " + std::to_string(in_h) + "x" +
              std::to_string(in_w) + " (use \"same\" padding or a smaller pool)");
  geometry_ = window_geometry(in_h, in_w, input_shape[2], pool_size_.h, pool_size_.w, strides_.h, strides_.w,
                              same_padding_);
  input_shape_ = input_shape;
  output_shape_ = Shape{geometry_.out_h, geometry_.out_w, geometry_.channels};
  return output_shape_;
}

Pooling2D::Window Pooling2D::window_at(int oy, int ox) const {
  const int y0 = oy * geometry_.stride_h - geometry_.pad_top;
  const int x0 = ox * geometry_.stride_w - geometry_.pad_left;
  // TF's "same" padding always leaves at least one real cell in each window.
  return {std::max(y0, 0), std::min(y0 + geometry_.window_h, geometry_.in_h), std::max(x0, 0),
          std::min(x0 + geometry_.window_w, geometry_.in_w)};
}

}  // namespace distillery
