#include "engine/layers/maxpool2d.h"

#include <algorithm>
#include <cassert>
#include <limits>

#include "engine/kernels/thread_pool.h"

namespace distillery {
namespace {

// A 26x26x8 image pools in a few microseconds: a task takes several.
constexpr int64_t kSamplesPerTask = 4;

}  // namespace

void MaxPool2D::forward(const Tensor& input, Tensor& output, bool /*training*/) {
  const WindowGeometry& g = geometry_;
  const int n = input.rows();
  const int c = g.channels;
  output.resize(Shape{n, g.out_h, g.out_w, c});
  argmax_.resize(static_cast<size_t>(output.size()));
  const int64_t out_size = g.positions() * c;
  // Samples are independent: split them over the pool.
  parallel_for(0, n, kSamplesPerTask, [&](int64_t first, int64_t last) {
    for (int64_t s = first; s < last; ++s) {
      const float* image = input.data() + s * g.image_size();
      float* out = output.data() + s * out_size;
      int32_t* arg = argmax_.data() + s * out_size;
      for (int oy = 0; oy < g.out_h; ++oy) {
        for (int ox = 0; ox < g.out_w; ++ox, out += c, arg += c) {
          const Window w = window_at(oy, ox);
          std::fill(out, out + c, -std::numeric_limits<float>::infinity());
          for (int y = w.y_begin; y < w.y_end; ++y) {
            for (int x = w.x_begin; x < w.x_end; ++x) {
              const int32_t offset = (y * g.in_w + x) * c;
              const float* pixel = image + offset;
              for (int ch = 0; ch < c; ++ch) {
                // The window's first cell always enters (so -inf or NaN inputs still get an argmax);
                // after that only a strictly greater value wins, so the first of equal values is kept.
                if (pixel[ch] > out[ch] || (y == w.y_begin && x == w.x_begin)) {
                  out[ch] = pixel[ch];
                  arg[ch] = offset + ch;
                }
              }
            }
          }
        }
      }
    }
  });
}

void MaxPool2D::backward(const Tensor& input, const Tensor& /*output*/, const Tensor& grad_output,
                         Tensor& grad_input) {
  const WindowGeometry& g = geometry_;
  assert(static_cast<int64_t>(argmax_.size()) == grad_output.size());
  grad_input.resize(input.shape());
  const int n = input.rows();
  const int64_t out_size = g.positions() * g.channels;
  parallel_for(0, n, kSamplesPerTask, [&](int64_t first, int64_t last) {
    std::fill(grad_input.data() + first * g.image_size(), grad_input.data() + last * g.image_size(), 0.0f);
    for (int64_t s = first; s < last; ++s) {
      float* grad_in = grad_input.data() + s * g.image_size();
      const float* grad_out = grad_output.data() + s * out_size;
      const int32_t* arg = argmax_.data() + s * out_size;
      for (int64_t i = 0; i < out_size; ++i) grad_in[arg[i]] += grad_out[i];
    }
  });
}

LayerKind maxpool2d_kind() {
  LayerKind kind = pooling_kind("maxpool2d", {"MaxPooling2D", "MaxPool2D"}, "max_pooling2d", {"pool", "maxpool"});
  kind.create = construct_layer<MaxPool2D>;
  kind.tfjs_zero_pads = LayerKind::ZeroPads::exact_when_input_nonnegative;
  return kind;
}

}  // namespace distillery
