// The arithmetic of quantization: the half-step bound per channel, lossless
// round trips of representable weights, zeros kept, activation ranges that
// hold 0 exactly, and IEEE float16 rounding.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "engine/data/test_util.h"
#include "engine/core/rng.h"
#include "engine/quant/quant_math.h"
#include "engine/quant/quant_mode.h"

namespace distillery {
namespace {

TEST(QuantMath, DequantizedWeightsAreWithinHalfAStepPerChannel) {
  Rng rng(3);
  const int channels = 7, rows = 53;
  std::vector<float> w(size_t(channels) * rows);
  // Channels of very different magnitude: one scale for all would crush the small ones.
  for (size_t i = 0; i < w.size(); ++i) w[i] = rng.uniform(-1.0f, 1.0f) * std::pow(10.0f, float(i % channels) - 3.0f);
  const ChannelQuantized q = quantize_per_channel(w.data(), int64_t(w.size()), channels);
  ASSERT_EQ(q.scales.size(), size_t(channels));
  std::vector<float> back(w.size());
  dequantize_per_channel(q, channels, back.data());
  for (size_t i = 0; i < w.size(); ++i) {
    const float step = q.scales[i % channels];
    EXPECT_LE(std::fabs(back[i] - w[i]), 0.5f * step * (1.0f + 1e-5f)) << "value " << i;
    EXPECT_GE(q.values[i], -127);
  }
  // The largest magnitude of each channel maps to +-127.
  for (int c = 0; c < channels; ++c) {
    int biggest = 0;
    for (int r = 0; r < rows; ++r) biggest = std::max(biggest, std::abs(int(q.values[size_t(r) * channels + c])));
    EXPECT_EQ(biggest, 127) << "channel " << c;
  }
}

TEST(QuantMath, RepresentableWeightsQuantizeLosslessly) {
  // w = q * 2^-e with max |q| = 127 per channel: the scale comes out as 2^-e exactly.
  Rng rng(5);
  const int channels = 4, rows = 31;
  std::vector<float> w(size_t(channels) * rows);
  for (size_t i = 0; i < w.size(); ++i) w[i] = float(int(rng.below(255)) - 127) * std::ldexp(1.0f, -int(3 + i % channels));
  for (int c = 0; c < channels; ++c) w[size_t(c)] = 127.0f * std::ldexp(1.0f, -(3 + c));
  const ChannelQuantized q = quantize_per_channel(w.data(), int64_t(w.size()), channels);
  std::vector<float> back(w.size());
  dequantize_per_channel(q, channels, back.data());
  for (size_t i = 0; i < w.size(); ++i) EXPECT_EQ(back[i], w[i]) << "value " << i;
}

TEST(QuantMath, ZerosStayZeroAndAnAllZeroChannelGetsAPositiveScale) {
  const std::vector<float> w = {0.0f, 0.5f, 0.0f, -0.25f, 0.0f, 0.0f};  // channel 0 is all zero
  const ChannelQuantized q = quantize_per_channel(w.data(), 6, 2);
  EXPECT_GT(q.scales[0], 0.0f);
  EXPECT_EQ(q.values[0], 0);
  EXPECT_EQ(q.values[2], 0);
  EXPECT_EQ(q.values[4], 0);
  EXPECT_EQ(q.values[1], 127);
}

TEST(QuantMath, ActivationRangesHoldZeroExactly) {
  for (auto [lo, hi] : {std::pair{-1.3f, 2.9f}, {0.0f, 6.0f}, {0.5f, 3.0f}, {-4.0f, -1.0f}, {0.0f, 0.0f}}) {
    const ActivationQuant q = activation_quant_from_range(lo, hi);
    EXPECT_GT(q.scale, 0.0f);
    EXPECT_EQ(quantize_activation(0.0f, q), q.zero_point);
    float zero;
    const int8_t z = int8_t(q.zero_point);
    dequantize_activations(&z, 1, q, &zero);
    EXPECT_EQ(zero, 0.0f);
    // The ends of the range survive within half a step.
    const int8_t top = quantize_activation(hi, q);
    float back;
    dequantize_activations(&top, 1, q, &back);
    EXPECT_LE(std::fabs(back - hi), 0.5f * q.scale * 1.0001f);
  }
  EXPECT_ERROR_WITH(activation_quant_from_range(2.0f, 1.0f), "min <= max");
  EXPECT_ERROR_WITH(activation_quant_from_range(0.0f, NAN), "finite");
}

TEST(QuantMath, Float16RoundsToNearestEven) {
  EXPECT_EQ(float_to_half(1.0f), 0x3c00);
  EXPECT_EQ(float_to_half(-2.0f), 0xc000);
  EXPECT_EQ(float_to_half(65504.0f), 0x7bff);
  EXPECT_EQ(float_to_half(1e6f), 0x7c00);                 // overflow: infinity
  EXPECT_EQ(float_to_half(5.9604644775390625e-8f), 0x0001);  // smallest subnormal
  EXPECT_EQ(float_to_half(1e-9f), 0x0000);
  // 1 + 2^-11 is halfway between 1 and 1 + 2^-10: ties go to the even mantissa.
  EXPECT_EQ(float_to_half(1.0f + std::ldexp(1.0f, -11)), 0x3c00);
  EXPECT_EQ(float_to_half(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3c02);
  // Every half round-trips through float.
  for (uint32_t h = 0; h < 0x7c00; ++h) ASSERT_EQ(float_to_half(half_to_float(uint16_t(h))), h) << h;
  EXPECT_EQ(half_to_float(0x3555), 0.333251953125f);
}

TEST(QuantMode, NamesRoundTripAndUnknownOnesAreListed) {
  for (QuantMode m : {QuantMode::Int8, QuantMode::Int8Weights, QuantMode::Float16})
    EXPECT_EQ(parse_quant_mode(quant_mode_name(m)), m);
  EXPECT_ERROR_WITH(parse_quant_mode("int4"), "int4", "int8, int8-weights or float16");
  EXPECT_ERROR_WITH(parse_calibration_method("kl"), "minmax or percentile");
  QuantizeOptions bad;
  bad.percentile = 40;
  EXPECT_ERROR_WITH(validate(bad), "percentile");
}

}  // namespace
}  // namespace distillery
