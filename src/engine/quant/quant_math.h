#pragma once
// The arithmetic of quantization, with no model in sight.
//
// Weights: symmetric int8 per output channel, w = q * scale[c], q in
// [-127, 127] (-128 unused so the range is symmetric), scale[c] =
// max|w[., c]| / 127. Round to nearest: |w - q * scale| <= scale / 2, a zero
// (a pruned weight) stays exactly zero, and a weight that already is q * scale
// comes back unchanged.
// Activations: asymmetric int8 per tensor, x = scale * (q - zero_point),
// q in [-128, 127], the range widened to hold 0 so that 0.0 (ReLU's floor,
// convolution padding) is exact.
// Float16: IEEE binary16, round to nearest even.
#include <cstdint>
#include <vector>

namespace distillery {

struct ChannelQuantized {
  std::vector<int8_t> values;  // same layout as the float tensor
  std::vector<float> scales;   // one per channel, > 0
};

// tensor: `count` values whose channel is index % channels (the last axis, as
// in Keras kernels [in, out] and [kh, kw, in, out]).
ChannelQuantized quantize_per_channel(const float* tensor, int64_t count, int channels);
void dequantize_per_channel(const ChannelQuantized& q, int channels, float* out);

struct ActivationQuant {
  float scale = 1.0f;
  int32_t zero_point = 0;
  float min = 0.0f, max = 0.0f;  // the calibrated range the two come from
};
// Throws Error unless min <= max and both are finite.
ActivationQuant activation_quant_from_range(float min, float max);

int8_t quantize_activation(float x, const ActivationQuant& q);
void quantize_activations(const float* x, int64_t n, const ActivationQuant& q, int8_t* out);
void dequantize_activations(const int8_t* q, int64_t n, const ActivationQuant& a, float* out);

uint16_t float_to_half(float value);
float half_to_float(uint16_t half);
// The value float16 storage keeps of `value`.
inline float round_to_half(float value) { return half_to_float(float_to_half(value)); }

}  // namespace distillery
