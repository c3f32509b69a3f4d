#pragma once
// Pooling2D: what max and average pooling share — the Keras config
// {"pool_size": [k, k] | k, "strides": [s, s] | s (default = pool_size),
//  "padding": "valid" | "same"} and the window geometry. Subclasses do the sums.
#include "engine/kernels/im2col.h"
#include "engine/layers/layer.h"
#include "engine/layers/window_config.h"
#include "engine/layers/layer_kind.h"

namespace distillery {

class Pooling2D : public Layer {
 public:
  Pooling2D(const nlohmann::json& config, const std::string& type_name);

  nlohmann::json config() const override;
  Shape build(const Shape& input_shape) override;

  IntPair pool_size() const { return pool_size_; }
  IntPair strides() const { return strides_; }
  const Padding& padding() const { return padding_; }
  const WindowGeometry& geometry() const { return geometry_; }

 protected:
  // The window's input rows [y_begin, y_end) and columns [x_begin, x_end), clipped to the image.
  struct Window {
    int y_begin, y_end, x_begin, x_end;
  };
  Window window_at(int oy, int ox) const;

  IntPair pool_size_;
  IntPair strides_;
  Padding padding_;
  WindowGeometry geometry_;
};

// The kind max and average pooling share: they differ in their names only.
// The first TF.js class and arch token are the ones written.
LayerKind pooling_kind(const std::string& type, std::vector<std::string> tfjs_classes, const std::string& name_prefix,
                       std::vector<std::string> arch_tokens);

}  // namespace distillery
