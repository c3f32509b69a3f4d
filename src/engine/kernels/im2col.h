#pragma once
// Sliding-window geometry (TensorFlow's "same"/"valid" rules) and im2col /
// col2im for NHWC images, which turn a convolution into one GEMM.
//
// A column matrix has one row per output position (n, oy, ox) and one column
// per kernel tap (ky, kx, c): the order of a Keras kernel [kh, kw, in, out]
// flattened to [kh * kw * in, out], so a forward convolution is
// columns[positions, patch] * kernel[patch, filters].
#include <cstdint>

namespace distillery {

// Where a window (convolution kernel or pooling window) goes over an image.
struct WindowGeometry {
  int in_h = 0, in_w = 0, channels = 0;
  int window_h = 0, window_w = 0;
  int stride_h = 1, stride_w = 1;
  int pad_top = 0, pad_left = 0;  // the rest of the padding is at the bottom / right, as in TF
  int out_h = 0, out_w = 0;

  int64_t positions() const { return static_cast<int64_t>(out_h) * out_w; }
  int64_t patch_size() const { return static_cast<int64_t>(window_h) * window_w * channels; }
  int64_t image_size() const { return static_cast<int64_t>(in_h) * in_w * channels; }
};

// TensorFlow's rules. "valid": no padding, out = (in - k) / s + 1, or 0 when the
// window is larger than the input (callers reject that). "same": out = ceil(in / s),
// pad_total = max((out - 1) * s + k - in, 0), pad_before = pad_total / 2 and the
// odd extra on the after side.
WindowGeometry window_geometry(int in_h, int in_w, int channels, int window_h, int window_w, int stride_h,
                               int stride_w, bool same_padding);
// Explicit padding (PyTorch's, as ONNX files give it): out = (in + before + after - k) / s + 1.
WindowGeometry window_geometry_padded(int in_h, int in_w, int channels, int window_h, int window_w, int stride_h,
                                      int stride_w, int pad_top, int pad_bottom, int pad_left, int pad_right);

// images: count NHWC images of g's input size. columns: [count * positions, patch_size],
// zero where the window overlaps the padding.
void im2col(const float* images, int count, const WindowGeometry& g, float* columns);
// The adjoint of im2col: ADDS every column entry back onto the pixel it came from
// (padding entries are dropped). Zero images first for a plain scatter.
void col2im(const float* columns, int count, const WindowGeometry& g, float* images);

}  // namespace distillery
