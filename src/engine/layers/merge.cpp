#include "engine/layers/merge.h"

#include <algorithm>
#include <cassert>

#include "engine/core/error.h"
#include "engine/io/tfjs_dialect.h"

namespace distillery {

Shape MergeLayer::build(const Shape& input_shape) { return build_inputs({input_shape}); }

void MergeLayer::forward(const Tensor&, Tensor&, bool) { assert(false && "build() refuses one input"); }

void MergeLayer::backward(const Tensor&, const Tensor&, const Tensor&, Tensor&) {
  assert(false && "build() refuses one input");
}

void MergeLayer::require_several(const std::vector<Shape>& input_shapes) const {
  require(input_shapes.size() >= 2, type() + " joins two or more layers (named in its \"inputs\"), but is given " +
                                        std::to_string(input_shapes.size()));
}

// ------------------------------------------------------------------- add
Shape Add::build_inputs(const std::vector<Shape>& input_shapes) {
  require_several(input_shapes);
  for (size_t k = 1; k < input_shapes.size(); ++k)
    require(input_shapes[k] == input_shapes[0], "add needs inputs of one shape, but input 0 is " +
                                                    input_shapes[0].str() + " and input " + std::to_string(k) +
                                                    " is " + input_shapes[k].str());
  inputs_ = static_cast<int>(input_shapes.size());
  input_shape_ = output_shape_ = input_shapes[0];
  return output_shape_;
}

void Add::forward_inputs(const std::vector<const Tensor*>& inputs, Tensor& output, bool /*training*/) {
  output.resize(inputs[0]->shape());
  const int64_t n = output.size();
  float* out = output.data();
  const float* a = inputs[0]->data();
  const float* b = inputs[1]->data();
  for (int64_t i = 0; i < n; ++i) out[i] = a[i] + b[i];
  for (size_t k = 2; k < inputs.size(); ++k) {
    const float* x = inputs[k]->data();
    for (int64_t i = 0; i < n; ++i) out[i] += x[i];
  }
}

void Add::backward_inputs(const std::vector<const Tensor*>& /*inputs*/, const Tensor& /*output*/,
                          const Tensor& grad_output, const std::vector<Tensor*>& grad_inputs) {
  for (Tensor* grad : grad_inputs) {
    grad->resize(grad_output.shape());
    std::copy(grad_output.data(), grad_output.data() + grad_output.size(), grad->data());
  }
}

LayerKind add_kind() {
  LayerKind kind;
  kind.type = "add";
  kind.create = construct_layer<Add>;
  kind.channels = ChannelFlow::joined;
  kind.tfjs_classes = {"Add"};
  kind.from_tfjs = [](const TfjsSource&, TfjsTarget& target) { target.add({{"type", "add"}}); };
  kind.to_tfjs = [](const nlohmann::json&) { return TfjsLayer{"Add", "add", {}}; };
  return kind;
}

// ----------------------------------------------------------- concatenate
Shape Concatenate::build_inputs(const std::vector<Shape>& input_shapes) {
  require_several(input_shapes);
  const Shape& first = input_shapes[0];
  widths_.clear();
  int total = 0;
  for (size_t k = 0; k < input_shapes.size(); ++k) {
    const Shape& shape = input_shapes[k];
    bool agrees = shape.rank() == first.rank();
    for (int d = 0; agrees && d + 1 < shape.rank(); ++d) agrees = shape[d] == first[d];
    require(agrees, "concatenate joins along the last axis, so the others must agree, but input 0 is " +
                        first.str() + " and input " + std::to_string(k) + " is " + shape.str());
    widths_.push_back(shape[shape.rank() - 1]);
    total += widths_.back();
  }
  input_shape_ = first;
  output_shape_ = first;
  output_shape_[first.rank() - 1] = total;
  return output_shape_;
}

void Concatenate::forward_inputs(const std::vector<const Tensor*>& inputs, Tensor& output, bool /*training*/) {
  const int n = inputs[0]->rows();
  output.resize(output_shape_.with_batch(n));
  const int total = output_shape_[output_shape_.rank() - 1];
  const int64_t rows = output.size() / total;  // samples x positions
  int offset = 0;
  for (size_t k = 0; k < inputs.size(); ++k) {
    const int width = widths_[k];
    const float* in = inputs[k]->data();
    float* out = output.data() + offset;
    for (int64_t r = 0; r < rows; ++r) std::copy(in + r * width, in + (r + 1) * width, out + r * total);
    offset += width;
  }
}

void Concatenate::backward_inputs(const std::vector<const Tensor*>& inputs, const Tensor& /*output*/,
                                  const Tensor& grad_output, const std::vector<Tensor*>& grad_inputs) {
  const int total = output_shape_[output_shape_.rank() - 1];
  const int64_t rows = grad_output.size() / total;
  int offset = 0;
  for (size_t k = 0; k < inputs.size(); ++k) {
    const int width = widths_[k];
    Tensor& grad = *grad_inputs[k];
    grad.resize(inputs[k]->shape());
    const float* from = grad_output.data() + offset;
    for (int64_t r = 0; r < rows; ++r) std::copy(from + r * total, from + r * total + width, grad.data() + r * width);
    offset += width;
  }
}

LayerKind concatenate_kind() {
  LayerKind kind;
  kind.type = "concatenate";
  kind.create = construct_layer<Concatenate>;
  kind.channels = ChannelFlow::concatenated;
  kind.tfjs_classes = {"Concatenate"};
  kind.from_tfjs = [](const TfjsSource& source, TfjsTarget& target) {
    // Keras counts the batch axis: the channels of an NHWC image are axis 3, or -1.
    const int axis = source.field<int>("axis", -1);
    require(axis == -1 || axis == target.input_rank(),
            source.label() + ": only concatenation along the last axis (channels) is supported, not axis " +
                std::to_string(axis));
    target.add({{"type", "concatenate"}});
  };
  kind.to_tfjs = [](const nlohmann::json&) {
    TfjsLayer layer{"Concatenate", "concatenate", {}};
    layer.config["axis"] = -1;
    return layer;
  };
  return kind;
}

}  // namespace distillery
