#include "engine/layers/global_avg_pool2d.h"

#include <algorithm>

#include "engine/io/tfjs_dialect.h"
#include "engine/layers/window_config.h"
#include "engine/model/arch_token.h"

namespace distillery {

Shape GlobalAvgPool2D::build(const Shape& input_shape) {
  require_image_input(type(), input_shape);
  input_shape_ = input_shape;
  output_shape_ = Shape{input_shape[2]};
  return output_shape_;
}

void GlobalAvgPool2D::forward(const Tensor& input, Tensor& output, bool /*training*/) {
  const int n = input.rows();
  const int c = output_shape_[0];
  const int64_t positions = input_shape_.size() / c;
  const float scale = 1.0f / static_cast<float>(positions);
  output.resize(Shape{n, c});
  for (int s = 0; s < n; ++s) {
    const float* pixel = input.data() + s * input_shape_.size();
    float* out = output.data() + static_cast<int64_t>(s) * c;
    std::fill(out, out + c, 0.0f);
    for (int64_t p = 0; p < positions; ++p, pixel += c)
      for (int ch = 0; ch < c; ++ch) out[ch] += pixel[ch];
    for (int ch = 0; ch < c; ++ch) out[ch] *= scale;
  }
}

void GlobalAvgPool2D::backward(const Tensor& input, const Tensor& /*output*/, const Tensor& grad_output,
                               Tensor& grad_input) {
  if (!input_gradient_needed()) return;
  const int n = input.rows();
  const int c = output_shape_[0];
  const int64_t positions = input_shape_.size() / c;
  const float scale = 1.0f / static_cast<float>(positions);
  grad_input.resize(input.shape());
  for (int s = 0; s < n; ++s) {
    const float* grad_out = grad_output.data() + static_cast<int64_t>(s) * c;
    float* pixel = grad_input.data() + s * input_shape_.size();
    for (int64_t p = 0; p < positions; ++p, pixel += c)
      for (int ch = 0; ch < c; ++ch) pixel[ch] = grad_out[ch] * scale;
  }
}

LayerKind global_avg_pool2d_kind() {
  LayerKind kind;
  kind.type = "global_avg_pool2d";
  kind.create = construct_layer<GlobalAvgPool2D>;
  kind.channels = ChannelFlow::preserved;  // output i is channel i
  kind.output_flat = true;
  kind.tfjs_classes = {"GlobalAveragePooling2D", "GlobalAvgPool2D"};
  kind.from_tfjs = [](const TfjsSource& source, TfjsTarget& target) {
    source.require_channels_last();
    require(!source.field<bool>("keepdims", false),
            source.label() + ": keepdims true is not supported (the pooled channels are a flat vector)");
    target.add({{"type", "global_avg_pool2d"}});
  };
  kind.to_tfjs = [](const nlohmann::json&) {
    TfjsLayer layer{"GlobalAveragePooling2D", "global_average_pooling2d", {}};
    layer.config["data_format"] = "channels_last";
    return layer;
  };
  kind.arch_tokens = {"gap"};
  kind.from_arch = [](ArchToken& token) {
    token.require_parts(1, 1, "gap");
    token.require_image();
    token.add({{"type", "global_avg_pool2d"}});
  };
  kind.to_arch = [](const nlohmann::json&) { return std::string("gap"); };
  return kind;
}

}  // namespace distillery
