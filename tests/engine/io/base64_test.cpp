// Base64 (RFC 4648 test vectors), the float32 encoding of weights, and the
// short-but-exact float text the model file uses.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include <nlohmann/json.hpp>

#include "engine/core/error.h"
#include "engine/core/rng.h"
#include "engine/io/base64.h"
#include "engine/io/float_text.h"
#include "engine/io/json_writer.h"

namespace distillery {
namespace {

std::string encode(const std::string& s) {
  return base64_encode(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}
std::string decode(const std::string& s) {
  const std::vector<uint8_t> bytes = base64_decode(s);
  return std::string(bytes.begin(), bytes.end());
}

TEST(Base64, Rfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {{"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},  {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, coded] : vectors) {
    EXPECT_EQ(encode(plain), coded);
    EXPECT_EQ(decode(coded), plain);
  }
  // Every byte value survives.
  std::string all;
  for (int b = 0; b < 256; ++b) all += static_cast<char>(b);
  EXPECT_EQ(decode(encode(all)), all);
}

TEST(Base64, RejectsBadText) {
  EXPECT_THROW(base64_decode("Zm9"), Error);        // length not a multiple of 4
  EXPECT_THROW(base64_decode("Zm9v!A=="), Error);   // character outside the alphabet
  EXPECT_THROW(base64_decode("Zg==Zg=="), Error);   // padding in the middle
  EXPECT_THROW(base64_decode("Z=g="), Error);       // padding before data
  EXPECT_THROW(base64_to_floats("Zm9v"), Error);    // 3 bytes: not whole floats
}

TEST(Base64, FloatsAreLittleEndianFloat32) {
  const float values[] = {1.0f, -2.5f};
  // 1.0f = 0x3F800000, -2.5f = 0xC0200000, little-endian bytes.
  const uint8_t bytes[] = {0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x20, 0xC0};
  EXPECT_EQ(floats_to_base64(values, 2), base64_encode(bytes, 8));
  const std::vector<float> back = base64_to_floats(floats_to_base64(values, 2));
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0], 1.0f);
  EXPECT_EQ(back[1], -2.5f);
}

TEST(FloatText, EveryFloatReadsBackExactlyThroughJsonText) {
  Rng rng(99);
  std::vector<float> values = {0.1f, -0.0f, 1e-45f, 3.4028235e38f, 16777217.0f, 1.17549435e-38f, 0.3f};
  while (values.size() < 20000) {
    const uint32_t bits = rng.next_u32();
    float f;
    std::memcpy(&f, &bits, sizeof f);
    if (std::isfinite(f)) values.push_back(f);
  }
  nlohmann::json array = nlohmann::json::array();
  for (float f : values) array.push_back(float_to_json_double(f));
  const nlohmann::json back = nlohmann::json::parse(array.dump());
  for (size_t i = 0; i < values.size(); ++i) {
    const float f = static_cast<float>(back[i].get<double>());
    ASSERT_EQ(std::memcmp(&f, &values[i], sizeof f), 0) << "value " << i << ": " << values[i];
  }
  // Short where a short text exists.
  EXPECT_EQ(nlohmann::json(float_to_json_double(0.1f)).dump(), "0.1");
  EXPECT_EQ(nlohmann::json(float_to_json_double(0.3f)).dump(), "0.3");
}

TEST(JsonWriter, FlatArraysStayOnOneLine) {
  const nlohmann::ordered_json doc = {{"a", 1}, {"list", {1, 2, 3}}, {"nested", {{"x", {{"y", true}}}}}};
  EXPECT_EQ(dump_json_compact_arrays(doc, 2),
            "{\n  \"a\": 1,\n  \"list\": [1,2,3],\n  \"nested\": {\n    \"x\": {\n      \"y\": true\n    }\n  }\n}");
  EXPECT_EQ(dump_json_compact_arrays(doc, -1), doc.dump());
}

}  // namespace
}  // namespace distillery
