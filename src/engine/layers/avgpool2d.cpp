#include "engine/layers/avgpool2d.h"

#include <algorithm>

namespace distillery {

void AvgPool2D::forward(const Tensor& input, Tensor& output, bool /*training*/) {
  const WindowGeometry& g = geometry_;
  const int n = input.rows();
  const int c = g.channels;
  output.resize(Shape{n, g.out_h, g.out_w, c});
  for (int s = 0; s < n; ++s) {
    const float* image = input.data() + s * g.image_size();
    float* out = output.data() + s * g.positions() * c;
    for (int oy = 0; oy < g.out_h; ++oy) {
      for (int ox = 0; ox < g.out_w; ++ox, out += c) {
        const Window w = window_at(oy, ox);
        std::fill(out, out + c, 0.0f);
        for (int y = w.y_begin; y < w.y_end; ++y)
          for (int x = w.x_begin; x < w.x_end; ++x) {
            const float* pixel = image + (static_cast<int64_t>(y) * g.in_w + x) * c;
            for (int ch = 0; ch < c; ++ch) out[ch] += pixel[ch];
          }
        const float scale = 1.0f / static_cast<float>((w.y_end - w.y_begin) * (w.x_end - w.x_begin));
        for (int ch = 0; ch < c; ++ch) out[ch] *= scale;
      }
    }
  }
}

void AvgPool2D::backward(const Tensor& input, const Tensor& /*output*/, const Tensor& grad_output,
                         Tensor& grad_input) {
  const WindowGeometry& g = geometry_;
  const int n = input.rows();
  const int c = g.channels;
  grad_input.resize(input.shape());
  grad_input.set_zero();
  for (int s = 0; s < n; ++s) {
    float* grad_in = grad_input.data() + s * g.image_size();
    const float* grad_out = grad_output.data() + s * g.positions() * c;
    for (int oy = 0; oy < g.out_h; ++oy) {
      for (int ox = 0; ox < g.out_w; ++ox, grad_out += c) {
        const Window w = window_at(oy, ox);
        const float scale = 1.0f / static_cast<float>((w.y_end - w.y_begin) * (w.x_end - w.x_begin));
        for (int y = w.y_begin; y < w.y_end; ++y)
          for (int x = w.x_begin; x < w.x_end; ++x) {
            float* pixel = grad_in + (static_cast<int64_t>(y) * g.in_w + x) * c;
            for (int ch = 0; ch < c; ++ch) pixel[ch] += grad_out[ch] * scale;
          }
      }
    }
  }
}

LayerKind avgpool2d_kind() {
  LayerKind kind = pooling_kind("avgpool2d", {"AveragePooling2D", "AvgPool2D"}, "average_pooling2d", {"avgpool"});
  kind.create = construct_layer<AvgPool2D>;
  return kind;
}

}  // namespace distillery
