#include "engine/layers/flatten.h"

#include <algorithm>

#include "engine/core/error.h"
#include "engine/io/tfjs_dialect.h"
#include "engine/model/arch_token.h"

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

LayerKind flatten_kind() {
  LayerKind kind;
  kind.type = "flatten";
  kind.create = construct_layer<Flatten>;
  kind.channels = ChannelFlow::flattened;
  kind.output_flat = true;
  kind.tfjs_classes = {"Flatten"};
  kind.from_tfjs = [](const TfjsSource& source, TfjsTarget& target) {
    source.require_channels_last();
    target.add({{"type", "flatten"}});
  };
  kind.to_tfjs = [](const nlohmann::json&) { return TfjsLayer{"Flatten", "flatten", {}}; };
  kind.arch_tokens = {"flatten"};
  kind.from_arch = [](ArchToken& token) {
    token.require_parts(1, 1, "flatten");
    token.add({{"type", "flatten"}});
  };
  return kind;
}

}  // namespace distillery
