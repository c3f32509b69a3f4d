// TF.js weight manifests and shards: groups over several shards, little-endian
// float32, quantized weights dequantized, other dtypes listed without values,
// and every size mismatch named.
#include "engine/io/tfjs_weights.h"

#include <gtest/gtest.h>

#include "engine/io/tfjs_test_util.h"

namespace distillery {
namespace {

using nlohmann::json;
using test::expect_error;

std::vector<uint8_t> floats(const std::vector<float>& values) {
  std::vector<uint8_t> out;
  append_float32_le(values.data(), values.size(), out);
  return out;
}

TEST(TfjsWeightsTest, Float32IsWrittenLittleEndian) {
  const std::vector<uint8_t> bytes = floats({1.0f, -2.5f});
  EXPECT_EQ(bytes, (std::vector<uint8_t>{0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x20, 0xc0}));
}

TEST(TfjsWeightsTest, GroupsReadTheirOwnShardsAsOneStream) {
  const json manifest = json::parse(R"([
    {"paths": ["a1.bin", "a2.bin"], "weights": [
      {"name": "d/kernel", "shape": [2, 2], "dtype": "float32"},
      {"name": "d/bias", "shape": [2], "dtype": "float32"}]},
    {"paths": ["b.bin"], "weights": [
      {"name": "steps", "shape": [], "dtype": "int32"},
      {"name": "bn/moving_mean", "shape": [3], "dtype": "float32"}]}])");
  EXPECT_EQ(tfjs_shard_paths(manifest), (std::vector<std::string>{"a1.bin", "a2.bin", "b.bin"}));
  // Group one split in the middle of a float; group two starts with a 4-byte int.
  std::vector<uint8_t> a = floats({1, 2, 3, 4, 5, 6});
  std::vector<uint8_t> a1(a.begin(), a.begin() + 7), a2(a.begin() + 7, a.end());
  std::vector<uint8_t> b = {7, 0, 0, 0};
  const std::vector<uint8_t> stats = floats({0.5f, -0.5f, 8});
  b.insert(b.end(), stats.begin(), stats.end());

  const std::vector<TfjsWeight> weights = decode_tfjs_weights(manifest, {a1, a2, b});
  ASSERT_EQ(weights.size(), 4u);
  EXPECT_EQ(weights[0].name, "d/kernel");
  EXPECT_EQ(weights[0].shape, (Shape{2, 2}));
  EXPECT_EQ(weights[0].values, (std::vector<float>{1, 2, 3, 4}));
  EXPECT_EQ(weights[1].values, (std::vector<float>{5, 6}));
  EXPECT_EQ(weights[2].dtype, "int32");
  EXPECT_TRUE(weights[2].values.empty());
  EXPECT_EQ(weights[3].values, (std::vector<float>{0.5f, -0.5f, 8}));
}

TEST(TfjsWeightsTest, QuantizedWeightsAreDequantizedAndNameTheirStorageType) {
  const json manifest = json::parse(R"([{"paths": ["w.bin"], "weights": [
      {"name": "d/kernel", "shape": [4], "dtype": "float32",
       "quantization": {"dtype": "uint8", "scale": 0.5, "min": -1}},
      {"name": "d/bias", "shape": [1], "dtype": "float32", "quantization": {"dtype": "float16"}}]}])");
  // uint8 0, 2, 3, 255 then float16 1.0 (0x3c00), one shard.
  const std::vector<TfjsWeight> weights = decode_tfjs_weights(manifest, {{0, 2, 3, 255, 0x00, 0x3c}});
  ASSERT_EQ(weights.size(), 2u);
  EXPECT_EQ(weights[0].quantized, "uint8");
  EXPECT_EQ(weights[1].quantized, "float16");
  EXPECT_EQ(weights[0].values, (std::vector<float>{-1.0f, 0.0f, 0.5f, 126.5f}));
  EXPECT_EQ(weights[1].values, (std::vector<float>{1.0f}));
}

TEST(TfjsWeightsTest, SizeMismatchesNameTheWeightOrTheFiles) {
  const json manifest = json::parse(R"([{"paths": ["w.bin"], "weights": [
      {"name": "d/kernel", "shape": [2, 3], "dtype": "float32"}]}])");
  expect_error([&] { decode_tfjs_weights(manifest, {floats({1, 2, 3})}); },
               {"weight 'd/kernel' needs bytes 0..24 of w.bin, which hold only 12"});
  expect_error([&] { decode_tfjs_weights(manifest, {floats({1, 2, 3, 4, 5, 6, 7})}); },
               {"w.bin hold 28 bytes but the manifest's weights take 24"});
  expect_error([&] { decode_tfjs_weights(manifest, {}); }, {"lists 1 weight file(s) but 0 were given"});
  expect_error([&] { decode_tfjs_weights(json::parse(R"([{"weights": []}])"), {}); },
               {"weightsManifest[0].paths is missing"});
  expect_error([&] {
    decode_tfjs_weights(json::parse(R"([{"paths": [], "weights": [{"name": "s", "shape": [1], "dtype": "string"}]}])"),
                        {});
  }, {"weight 's' has dtype 'string'"});
}

}  // namespace
}  // namespace distillery
