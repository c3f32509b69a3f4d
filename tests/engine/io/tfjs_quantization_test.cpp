// TF.js's quantized weight storage (uint8, uint16, float16): the encode ->
// manifest -> decode round trip is within half a step of every weight with
// zeros exact, the step is the finest a zero-holding grid allows, decoding is
// TF.js's own arithmetic, and corrupt manifests are refused by name.
#include "engine/io/tfjs_quantization.h"

#include <gtest/gtest.h>

#include <cmath>

#include "engine/core/rng.h"
#include "engine/io/tfjs_test_util.h"
#include "engine/io/tfjs_weights.h"
#include "engine/quant/quant_math.h"

namespace distillery {
namespace {

using nlohmann::json;
using test::expect_error;

// `count` values uniform in [lo, hi], every fifth one exactly 0 when 0 is in range (pruned weights).
std::vector<float> tensor(float lo, float hi, size_t count, uint64_t seed) {
  Rng rng(seed);
  std::vector<float> v(count);
  for (size_t i = 0; i < count; ++i) v[i] = lo <= 0.0f && hi >= 0.0f && i % 5 == 0 ? 0.0f : rng.uniform(lo, hi);
  v[1] = lo;  // the range's ends are in the tensor
  v[2] = hi;
  return v;
}

struct RoundTrip {
  std::vector<float> decoded;
  double scale = 0.0;
};

// Encodes, writes the manifest entry as text and reads it back as a TF.js loader would.
RoundTrip round_trip(const std::vector<float>& values, TfjsWeightDtype dtype) {
  const TfjsEncodedWeight encoded = encode_tfjs_weight(values.data(), values.size(), dtype, "w");
  EXPECT_EQ(encoded.bytes.size(), values.size() * static_cast<size_t>(tfjs_weight_bytes_per_value(dtype)));
  const json quantization = json::parse(encoded.quantization.dump());
  EXPECT_EQ(read_tfjs_quantization(quantization, "w"), dtype);
  RoundTrip out;
  out.decoded = decode_tfjs_values(encoded.bytes.data(), values.size(), dtype, quantization);
  if (quantization.contains("scale")) out.scale = quantization["scale"].get<double>();
  return out;
}

void expect_within_half_a_step(const std::vector<float>& values, TfjsWeightDtype dtype, int qmax) {
  const RoundTrip r = round_trip(values, dtype);
  float lo = values[0], hi = values[0];
  for (float v : values) lo = std::min(lo, v), hi = std::max(hi, v);
  // The finest grid that holds 0 exactly has a step of at most range / (qmax - 1).
  EXPECT_LE(r.scale, double(hi - lo) / (qmax - 1) * (1 + 1e-12));
  EXPECT_GE(r.scale, double(hi - lo) / qmax * (1 - 1e-12));
  for (size_t i = 0; i < values.size(); ++i) {
    // Half a step, plus the float32 rounding of the decoded value.
    const double bound = r.scale / 2 * (1 + 1e-9) + std::fabs(values[i]) * 6e-8;
    EXPECT_LE(std::fabs(double(r.decoded[i]) - values[i]), bound) << "value " << i << " = " << values[i];
    if (values[i] == 0.0f) {
      EXPECT_EQ(r.decoded[i], 0.0f) << "a zero at " << i << " came back as " << r.decoded[i];
    }
  }
}

TEST(TfjsQuantizationTest, Uint8IsWithinHalfAStepAndZerosStayExactlyZero) {
  expect_within_half_a_step(tensor(-0.7f, 1.3f, 997, 1), TfjsWeightDtype::Uint8, 255);
  expect_within_half_a_step(tensor(-3e-3f, 1e-4f, 300, 2), TfjsWeightDtype::Uint8, 255);   // 0 near the top
  expect_within_half_a_step(tensor(0.0f, 2.0f, 300, 3), TfjsWeightDtype::Uint8, 255);      // 0 at the bottom
  expect_within_half_a_step(tensor(-5.0f, 0.0f, 300, 4), TfjsWeightDtype::Uint8, 255);     // 0 at the top
  expect_within_half_a_step(tensor(0.5f, 2.0f, 300, 5), TfjsWeightDtype::Uint8, 255);      // no 0 to keep
  expect_within_half_a_step(tensor(-40.0f, 0.02f, 300, 6), TfjsWeightDtype::Uint8, 255);
}

TEST(TfjsQuantizationTest, Uint16IsWithinHalfItsFinerStep) {
  expect_within_half_a_step(tensor(-0.7f, 1.3f, 2000, 7), TfjsWeightDtype::Uint16, 65535);
  expect_within_half_a_step(tensor(-1.0f, 0.0f, 500, 8), TfjsWeightDtype::Uint16, 65535);
}

TEST(TfjsQuantizationTest, AConstantTensorComesBackExactly) {
  for (float c : {0.0f, 0.25f, -3.1f}) {
    const std::vector<float> values(7, c);
    const TfjsEncodedWeight encoded = encode_tfjs_weight(values.data(), values.size(), TfjsWeightDtype::Uint8, "w");
    EXPECT_EQ(encoded.quantization["scale"], 1.0);  // never 0: TF.js's converter writes 1 too
    EXPECT_EQ(round_trip(values, TfjsWeightDtype::Uint8).decoded, values);
  }
}

TEST(TfjsQuantizationTest, Float16KeepsWhatBinary16KeepsAndRefusesWhatItCannotHold) {
  const std::vector<float> values = tensor(-70.0f, 300.0f, 500, 9);
  const RoundTrip r = round_trip(values, TfjsWeightDtype::Float16);
  for (size_t i = 0; i < values.size(); ++i) EXPECT_EQ(r.decoded[i], round_to_half(values[i])) << i;
  EXPECT_NE(r.decoded[3], values[3]);  // the test is not vacuous: float16 rounds

  const std::vector<float> big = {1.0f, 70000.0f};
  expect_error([&] { encode_tfjs_weight(big.data(), big.size(), TfjsWeightDtype::Float16, "layer 0 (dense): weights.kernel"); },
               {"layer 0 (dense): weights.kernel holds 70000", "beyond float16's range"});
  const std::vector<float> nan = {std::nanf("")};
  expect_error([&] { encode_tfjs_weight(nan.data(), 1, TfjsWeightDtype::Uint8, "w"); }, {"w holds a NaN"});
}

TEST(TfjsQuantizationTest, DecodingIsTfjsArithmeticInDoubleThenFloat32) {
  // tfjs-core decodeWeight: values[i] = v * quantization.scale + quantization.min, into a Float32Array.
  const json q = {{"dtype", "uint8"}, {"scale", 0.1}, {"min", -1}};
  const std::vector<uint8_t> bytes = {0, 1, 7, 255};
  const std::vector<float> values = decode_tfjs_values(bytes.data(), 4, read_tfjs_quantization(q, "w"), q);
  EXPECT_EQ(values, (std::vector<float>{-1.0f, float(0.1 - 1), float(7 * 0.1 - 1), float(255 * 0.1 - 1)}));
  // uint16 little-endian.
  const json q16 = {{"dtype", "uint16"}, {"scale", 0.5}, {"min", 0}};
  const std::vector<uint8_t> b16 = {0x01, 0x02, 0xff, 0xff};
  EXPECT_EQ(decode_tfjs_values(b16.data(), 2, TfjsWeightDtype::Uint16, q16), (std::vector<float>{256.5f, 32767.5f}));
}

TEST(TfjsQuantizationTest, CorruptManifestsAreRefusedNamingTheWeight) {
  auto manifest = [](json quantization) {
    json entry = {{"name", "d/kernel"}, {"shape", {2, 3}}, {"dtype", "float32"}};
    entry["quantization"] = std::move(quantization);
    return json::array({{{"paths", {"w.bin"}}, {"weights", {entry}}}});
  };
  const std::vector<uint8_t> six(6, 3);
  for (const auto& [given, message] : std::vector<std::pair<json, std::string>>{
           {{{"dtype", "uint8"}, {"scale", 0}, {"min", -1}}, "quantization scale is 0"},
           {{{"dtype", "uint8"}, {"scale", -0.5}, {"min", -1}}, "quantization scale is -0.5"},
           {{{"dtype", "uint8"}, {"scale", "NaN"}, {"min", -1}}, "quantization scale must be a finite number, got \"NaN\""},
           {{{"dtype", "uint8"}, {"scale", nullptr}, {"min", -1}}, "quantization scale must be a finite number, got null"},
           {{{"dtype", "uint8"}, {"scale", 0.1}}, "\"quantization\" has no \"min\""},
           {{{"dtype", "uint16"}, {"min", 0}}, "\"quantization\" has no \"scale\""},
           {{{"dtype", "int4"}, {"scale", 0.1}, {"min", 0}}, "quantization dtype 'int4' is not one TF.js writes"},
           {{{"dtype", "float32"}}, "quantization dtype 'float32' is not one TF.js writes"},
           {{{"scale", 0.1}}, "\"quantization\" must be an object with a \"dtype\""}}) {
    SCOPED_TRACE(given.dump());
    const json broken = manifest(given);  // a structured binding is not capturable in C++17
    expect_error([&] { decode_tfjs_weights(broken, {six}); }, {"weight 'd/kernel': " + message});
  }
  // The byte count follows the storage type: 6 uint8 values are 6 bytes, not 24.
  const json uint8 = manifest({{"dtype", "uint8"}, {"scale", 0.1}, {"min", -1}});
  EXPECT_EQ(decode_tfjs_weights(uint8, {six})[0].values.size(), 6u);
  expect_error([&] { decode_tfjs_weights(uint8, {std::vector<uint8_t>(24, 0)}); },
               {"w.bin hold 24 bytes but the manifest's weights take 6"});
  expect_error([&] { decode_tfjs_weights(manifest({{"dtype", "float16"}}), {six}); },
               {"weight 'd/kernel' needs bytes 0..12 of w.bin, which hold only 6"});
}

TEST(TfjsQuantizationTest, DtypeNamesAreOneTable) {
  for (TfjsWeightDtype d : {TfjsWeightDtype::Float32, TfjsWeightDtype::Uint8, TfjsWeightDtype::Uint16,
                            TfjsWeightDtype::Float16})
    EXPECT_EQ(tfjs_weight_dtype_names().parse(tfjs_weight_dtype_name(d)), d);
  expect_error([] { tfjs_weight_dtype_names().parse("int8"); }, {"unknown TF.js weight type 'int8'", "uint8"});
}

}  // namespace
}  // namespace distillery
