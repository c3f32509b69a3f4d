#include "engine/quant/quant_math.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "engine/core/error.h"
#include "engine/kernels/gemm_int8.h"

namespace distillery {

ChannelQuantized quantize_per_channel(const float* tensor, int64_t count, int channels) {
  ChannelQuantized q;
  q.values.resize(static_cast<size_t>(count));
  std::vector<float> max_abs(static_cast<size_t>(channels), 0.0f);
  for (int64_t i = 0; i < count; ++i) {
    float& m = max_abs[size_t(i % channels)];
    m = std::max(m, std::fabs(tensor[i]));
  }
  q.scales.resize(static_cast<size_t>(channels));
  // A channel of zeros (pruned away) gets scale 1: any positive scale is exact for it.
  for (int c = 0; c < channels; ++c) q.scales[size_t(c)] = max_abs[size_t(c)] > 0.0f ? max_abs[size_t(c)] / 127.0f : 1.0f;
  for (int64_t i = 0; i < count; ++i) {
    const float scaled = tensor[i] / q.scales[size_t(i % channels)];
    q.values[size_t(i)] = int8_t(std::clamp(std::lrint(scaled), -127L, 127L));
  }
  return q;
}

void dequantize_per_channel(const ChannelQuantized& q, int channels, float* out) {
  for (size_t i = 0; i < q.values.size(); ++i) out[i] = float(q.values[i]) * q.scales[i % size_t(channels)];
}

ActivationQuant activation_quant_from_range(float min, float max) {
  require(std::isfinite(min) && std::isfinite(max) && min <= max,
          "an activation range must be finite with min <= max, got [" + std::to_string(min) + ", " +
              std::to_string(max) + "]");
  ActivationQuant q;
  q.min = min;
  q.max = max;
  const float lo = std::min(min, 0.0f), hi = std::max(max, 0.0f);
  if (hi - lo <= 0.0f || !std::isfinite(hi - lo)) return q;  // only 0 was seen: scale 1, zero point 0
  q.scale = (hi - lo) / 255.0f;
  if (!(q.scale > 0.0f)) q.scale = 1e-30f;  // a range below float resolution
  q.zero_point = int32_t(std::clamp(std::lrint(-128.0 - double(lo) / q.scale), -128L, 127L));
  return q;
}

// x times 1 / scale (a multiply the compiler vectorises, where a divide per value cost a fifth of
// an MLP's int8 forward), rounded half to even by nearbyint (one f32.nearest / roundss), clamped as a float.
static inline int8_t quantize_with_inverse(float x, float inverse, float zero_point) {
  return int8_t(std::clamp(std::nearbyint(x * inverse) + zero_point, -128.0f, 127.0f));
}

int8_t quantize_activation(float x, const ActivationQuant& q) {
  return quantize_with_inverse(x, 1.0f / q.scale, float(q.zero_point));
}

void quantize_activations(const float* x, int64_t n, const ActivationQuant& q, int8_t* out) {
  quantize_to_int8(x, n, 1.0f / q.scale, float(q.zero_point), out);  // the same formula, SIMD in WebAssembly
}

void dequantize_activations(const int8_t* q, int64_t n, const ActivationQuant& a, float* out) {
  for (int64_t i = 0; i < n; ++i) out[i] = a.scale * float(int32_t(q[i]) - a.zero_point);
}

uint16_t float_to_half(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, 4);
  const uint32_t sign = (bits >> 16) & 0x8000u;
  const uint32_t abs = bits & 0x7fffffffu;
  if (abs >= 0x7f800000u) return uint16_t(sign | 0x7c00u | (abs > 0x7f800000u ? 0x200u : 0u));  // inf, NaN
  if (abs >= 0x477ff000u) return uint16_t(sign | 0x7c00u);  // rounds past 65504: infinity
  if (abs < 0x38800000u) {  // below the smallest normal half: a subnormal (or 0)
    if (abs < 0x33000000u) return uint16_t(sign);  // below half the smallest subnormal
    const uint32_t exponent = abs >> 23;
    const uint32_t mantissa = (abs & 0x7fffffu) | 0x800000u;
    const uint32_t shift = 126 - exponent;  // value = mantissa * 2^(exponent - 150) = half * 2^-24
    uint32_t half = mantissa >> shift;
    const uint32_t rest = mantissa & ((1u << shift) - 1);
    const uint32_t halfway = 1u << (shift - 1);
    if (rest > halfway || (rest == halfway && (half & 1u))) ++half;
    return uint16_t(sign | half);
  }
  uint32_t half = ((abs - 0x38000000u) >> 13);  // rebias the exponent 127 -> 15
  const uint32_t rest = abs & 0x1fffu;
  if (rest > 0x1000u || (rest == 0x1000u && (half & 1u))) ++half;  // a carry into the exponent is right
  return uint16_t(sign | half);
}

float half_to_float(uint16_t half) {
  const uint32_t sign = uint32_t(half & 0x8000u) << 16;
  const uint32_t exponent = (half >> 10) & 0x1fu;
  uint32_t mantissa = half & 0x3ffu;
  uint32_t bits;
  if (exponent == 0x1f) {
    bits = sign | 0x7f800000u | (mantissa << 13);
  } else if (exponent == 0) {
    if (mantissa == 0) {
      bits = sign;
    } else {  // subnormal: value = mantissa * 2^-24
      const float v = float(mantissa) * 5.9604644775390625e-8f;
      std::memcpy(&bits, &v, 4);
      bits |= sign;
    }
  } else {
    bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
  }
  float out;
  std::memcpy(&out, &bits, 4);
  return out;
}

}  // namespace distillery
