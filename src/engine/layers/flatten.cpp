#include "engine/layers/flatten.h"

#include <algorithm>

#include "engine/core/error.h"

namespace distillery {

Shape Flatten::build(const Shape& input_shape) {
  require(input_shape.rank() >= 1 && input_shape.size() > 0,
          "flatten expects a non-empty input but got " + input_shape.str());
  require(input_shape.size() < (int64_t{1} << 31), "flatten: the input " + input_shape.str() + " is too large");
  input_shape_ = input_shape;
  output_shape_ = Shape{static_cast<int>(input_shape.size())};
  return output_shape_;
}

// NHWC is already row-major per sample: flattening is a copy with a new shape.
void Flatten::forward(const Tensor& input, Tensor& output, bool /*training*/) {
  output.resize(Shape{input.rows(), output_shape_[0]});
  std::copy(input.data(), input.data() + input.size(), output.data());
}

void Flatten::backward(const Tensor& input, const Tensor& /*output*/, const Tensor& grad_output, Tensor& grad_input) {
  if (!input_gradient_needed()) return;
  grad_input.resize(input.shape());
  std::copy(grad_output.data(), grad_output.data() + grad_output.size(), grad_input.data());
}

}  // namespace distillery
