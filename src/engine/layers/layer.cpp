#include "engine/layers/layer.h"

#include "engine/core/error.h"

namespace distillery {

Shape Layer::build_inputs(const std::vector<Shape>& input_shapes) {
  require(input_shapes.size() == 1,
          type() + " takes one input, but is given " + std::to_string(input_shapes.size()));
  return build(input_shapes[0]);
}

}  // namespace distillery
