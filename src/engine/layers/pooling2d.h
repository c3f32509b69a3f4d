#pragma once
// Pooling2D: what max and average pooling share — the Keras config
// {"pool_size": [k, k] | k, "strides": [s, s] | s (default = pool_size),
//  "padding": "valid" | "same"} and the window geometry. Subclasses do the sums.
#include "engine/kernels/im2col.h"
#include "engine/layers/layer.h"
#include "engine/layers/window_config.h"

namespace distillery {

class Pooling2D : public Layer {
 public:
  Pooling2D(const nlohmann::json& config, const std::string& type_name);

  nlohmann::json config() const override;
  Shape build(const Shape& input_shape) override;

  IntPair pool_size() const { return pool_size_; }
  IntPair strides() const { return strides_; }
  bool same_padding() const { return same_padding_; }
  const WindowGeometry& geometry() const { return geometry_; }

 protected:
  // The window's input rows [y_begin, y_end) and columns [x_begin, x_end), clipped to the image.
  struct Window {
    int y_begin, y_end, x_begin, x_end;
  };
  Window window_at(int oy, int ox) const;

  IntPair pool_size_;
  IntPair strides_;
  bool same_padding_ = false;
  WindowGeometry geometry_;
};

}  // namespace distillery
