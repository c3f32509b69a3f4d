// Inputs the fuzzers (fuzz/, scripts/fuzz.sh) found crashing or misbehaving,
// kept as regression tests once fixed. Each names the target that found it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>

#include "engine/data/data_builders.h"
#include "engine/data/image.h"
#include "engine/data/test_util.h"
#include "engine/data/zip.h"
#include "engine/io/base64.h"
#include "engine/io/model_json.h"
#include "engine/io/tfjs_import.h"
#include "engine/model/arch_spec.h"
#include "engine/model/model.h"
#include "engine/core/rng.h"

namespace distillery {
namespace {

using test::Bytes;

Bytes bytes_from_hex(const std::string& hex) {
  Bytes out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(uint8_t(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

// The bytes with the one occurrence of `from` (hex) replaced by `to` (hex).
Bytes with_replaced(Bytes bytes, const std::string& from, const std::string& to) {
  const Bytes old_bytes = bytes_from_hex(from), new_bytes = bytes_from_hex(to);
  const auto at = std::search(bytes.begin(), bytes.end(), old_bytes.begin(), old_bytes.end());
  EXPECT_NE(at, bytes.end()) << from;
  EXPECT_EQ(std::search(at + 1, bytes.end(), old_bytes.begin(), old_bytes.end()), bytes.end()) << from;
  if (at == bytes.end()) return bytes;
  const size_t offset = size_t(at - bytes.begin());
  bytes.erase(at, at + std::ptrdiff_t(old_bytes.size()));
  bytes.insert(bytes.begin() + std::ptrdiff_t(offset), new_bytes.begin(), new_bytes.end());
  return bytes;
}

// An 8x8 baseline JPEG written by stb_image_write (quality 50), with the
// standard Huffman tables (up to 162 codes each). Kept as bytes: the encoder
// itself shifts negative ints, which the sanitizer build would stop on.
Bytes small_jpeg() {
  const std::string hex =
      "ffd8ffe000104a46494600010100000100010000ffdb008400100b0c0e0c0a100e0d0e1211101318281a181616183123251d"
      "283a333d3c3933383740485c4e404457453738506d51575f626768673e4d71797064785c656763011112121815182f1a1a2f"
      "6342384263636363636363636363636363636363636363636363636363636363636363636363636363636363636363636363"
      "63636363ffc00011080008000803012200021101031101ffc401a20000010501010101010100000000000000000102030405"
      "060708090a0b100002010303020403050504040000017d01020300041105122131410613516107227114328191a1082342b1"
      "c11552d1f02433627282090a161718191a25262728292a3435363738393a434445464748494a535455565758595a63646566"
      "6768696a737475767778797a838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4"
      "c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9fa010003010101010101010101000000"
      "0000000102030405060708090a0b110002010204040304070504040001027700010203110405213106124151076171132232"
      "8108144291a1b1c109233352f0156272d10a162434e125f11718191a262728292a35363738393a434445464748494a535455"
      "565758595a636465666768696a737475767778797a82838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3"
      "b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae2e3e4e5e6e7e8e9eaf2f3f4f5f6f7f8f9faffda000c030100"
      "02110311003f00483c1dff004cff004a9ffe10effa67fa5763054f401fffd9";
  return bytes_from_hex(hex);
}

// The 8x8 gradient pixel (x * 32, y * 32, 255 - 16 x - 16 y) as a
// progressive JPEG by libjpeg-turbo (cjpeg -progressive -quality 50
// -optimize). Like most progressive files, it defines each AC table just
// before the first scan that needs it, after DC scans that name it.
Bytes progressive_jpeg() {
  const std::string hex =
      "ffd8ffe000104a46494600010100000100010000ffdb004300100b0c0e0c0a100e0d0e1211101318281a181616183123251d"
      "283a333d3c3933383740485c4e404457453738506d51575f626768673e4d71797064785c656763ffdb004301111212181518"
      "2f1a1a2f63423842636363636363636363636363636363636363636363636363636363636363636363636363636363636363"
      "6363636363636363ffc20011080008000803012200021101031101ffc4001500010100000000000000000000000000000002"
      "ffc4001501010100000000000000000000000000000204ffda000c030100021003100000018132ffc4001610000300000000"
      "00000000000000000000000203ffda0008010100010502489fffc40018110002030000000000000000000000000000020304"
      "12ffda0008010301013f01af2b60ffc40017110003010000000000000000000000000000020312ffda0008010201013f01b5"
      "df47ffc40014100100000000000000000000000000000000ffda0008010100063f027fffc400151001010000000000000000"
      "0000000000000061ffda0008010100013f218bffda000c030100020003000000100fffc40016110003000000000000000000"
      "0000000000001121ffda0008010301013f10414fffc400161100030000000000000000000000000000001121ffda00080102"
      "01013f106f4fffc4001510010100000000000000000000000000000031ffda0008010100013f1091ffd9";
  return bytes_from_hex(hex);
}

// fuzz_image / fuzz_dataset: a JPEG Huffman table declaring 16 x 255 codes
// made stb_image 2.27 write past its 257-entry code-size table.
TEST(FuzzRegressionTest, JpegHuffmanTableWithTooManyCodes) {
  Bytes jpeg = {0xFF, 0xD8, 0xFF, 0xC4, 0x00, 0x13, 0x00};
  for (int i = 0; i < 16; ++i) jpeg.push_back(0xFF);
  jpeg.insert(jpeg.end(), {0xFF, 0xD9});
  EXPECT_ERROR_WITH(read_image_info(jpeg, "bad.jpg"), "bad.jpg", "corrupt JPEG", "Huffman table");
  EXPECT_ERROR_WITH(decode_image(jpeg, 0, 0, 0, "bad.jpg"), "bad.jpg", "corrupt JPEG");
  // Behind fill bytes, an APP segment and a stray byte the table is still found.
  Bytes hidden = {0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0xFF, 0xC4, 0x12, 0xFF, 0xFF};
  hidden.insert(hidden.end(), jpeg.begin() + 2, jpeg.end());
  EXPECT_ERROR_WITH(read_image_info(hidden, "hidden.jpg"), "corrupt JPEG");
}

// fuzz_image, 10-million run (session 5, at 2,841,498): the guard above
// ended a scan's data at FF FF 00, which stb reads as fill bytes and a stuffed
// data byte; it then took "FF 00" for a marker, jumped by its "length" and
// missed a later table of 257 codes, so stb wrote one entry past its size
// table (UBSan: index 257). The input as libFuzzer minimised it.
TEST(FuzzRegressionTest, JpegHuffmanTableBehindFillBytesInScanData) {
  const Bytes jpeg = bytes_from_hex(
      "ffd8ffc0001108000700f003012200021101031101ffc401a200000105010101010101000000000000000001020304050607"
      "08090a0b100002010303020403050504040000017d01020300041105122130510741061322617114328191a1082342b1c115"
      "52d1f02433ff1b82090a161718191a25fffffff52a3435363738393a434445464748494a535455565758595a636465666768"
      "696a737475767778797a838485865b0abc0190620000969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6"
      "c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9fa0100030101010101010101010000000000"
      "000102030405060708090a0b1100020102040403040705040400010277000102031104052131061241510761711332328108"
      "144291a1b1c109233352f0156272d10a1624341a181725e119f1262728008babf12636373839666768696a7374fffffff3b3"
      "b4b5b6b7b8b9bac2c3c4c57b9e3d40ce4fa9cd667fc209e2efffc401a20000010501010101ff060506070706080a100a0a09"
      "090a140e0f0c10171466bbb3ffd90ca5a8d5d6d7d8d9dae2e3e4e5e6e7e8e9eaf2f3f4f5f6f7f8f9faffda000c0301000211"
      "0311003f00ffff00ffc401a201ffd9");
  ASSERT_EQ(jpeg.size(), 465u);
  EXPECT_ERROR_WITH(decode_image(jpeg, 0, 0, 0, "fill.jpg"), "fill.jpg", "corrupt JPEG", "Huffman table");
}

TEST(FuzzRegressionTest, JpegWithValidHuffmanTablesStillDecodes) {
  Bytes jpeg = small_jpeg();
  ASSERT_EQ(jpeg.size(), 631u);
  const Image image = decode_image(jpeg);
  EXPECT_EQ(image.width, 8);
  EXPECT_EQ(image.height, 8);
  // An APP segment whose payload happens to hold FF C4 and huge "counts" is
  // skipped as a whole, not mistaken for a Huffman table.
  Bytes app = {0xFF, 0xE1, 0x00, 0x17, 0xFF, 0xC4, 0x00, 0x13, 0x00};
  for (int i = 0; i < 16; ++i) app.push_back(0xFF);
  jpeg.insert(jpeg.begin() + 2, app.begin(), app.end());
  EXPECT_EQ(decode_image(jpeg).pixels, image.pixels);
}

// fuzz_image (CI's seeded pass, fifth session): a marker inside the
// entropy-coded data of this JPEG (minimised by libFuzzer) drove stb 2.27's
// bit count negative, and its next refill shifted by 34: undefined behaviour,
// which the sanitizer build stops on. The build patches that line
// (cmake/PatchStbImage.cmake); the file is still refused.
TEST(FuzzRegressionTest, JpegMarkerInsideEntropyCodedData) {
  const Bytes jpeg = bytes_from_hex(
      "ffd8ffc00011080008000803012200021101031101ffc401a200000105010101010101000000000000000001020304050607"
      "08090a0b100002010303020403050504040000017d01020300041105122131410613516107227114328191a1082342b1c115"
      "52d1f02433627282090a161718191a25262728292a3435363738393a434445464748494a535455565758555a636465666768"
      "696a737475767778797a838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6"
      "c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eae9f2f3f4f5f6f7f8f9fa0100030101010101010101010000000000"
      "000102030405060708090a0b1100020102040403040705040400010277000102031104052131061241510761d547e2aff925"
      "be1fff00fefffff4a8037ae622ffd90a162434e125f11718191a262728292a3536aa38393a434445464748494a5354555657"
      "58595a636465666768696a737475767778797a82838485860900898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5"
      "b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d689504e470d0a1a0ae6e7e8e9eaf2f3f4f5f6f7f8f9faffda000c0301000211"
      "0311003f00ade2aff925be1fff00fefff4");
  ASSERT_EQ(jpeg.size(), 467u);
  EXPECT_ERROR_WITH(decode_image(jpeg, 6, 6, 1, "cut.jpg"), "cut.jpg", "cannot decode the image");
}

// fuzz_image, 10-million run (session 5, at 2,335,386): the scan decodes
// component 3 with AC table 1, which no DHT defines (the file defines DC 0
// twice instead). stb allocates its tables without clearing them, so it
// read a symbol index from whatever the memory held: UBSan stopped on index
// 436223823 of a 256-entry table. Because the index came from stale memory,
// the input alone did not reproduce it; the guard refuses the file before stb
// decodes. The input as libFuzzer saved it, without the target's mode byte.
TEST(FuzzRegressionTest, JpegScanWithUndefinedHuffmanTable) {
  const Bytes jpeg = bytes_from_hex(
      "ffd8ffe000104a4649460001010000000021f90401000000002c0000000001000028282828282828282828ffc00011080800"
      "005d03012200021101031101ffc401a20000010501010101010100000000000000000102030405060708090a0b1000020103"
      "03020403050504040000017d01020300ffeafaeddecebef9ec516107227114328191a1082342b1c11552d1f0243362728209"
      "0a161718191a25262728292a3435363738393a434445464748494a535455565758595a636465666768696a73747576777879"
      "7a838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7c5bac4c3b9b8c2c6c7424d4e48d3d4d5d6"
      "d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9fa0100030101010101010101010000000000000102030405670000"
      "00000000000201020404030407050404000102770000000102030405060708090a0b10000201030302040305050404000401"
      "7d01020300ff1105122131410613516107227114328191a1082342b1c11552d1f02433627282090a161718191a2526272829"
      "2a3435363738393a434445464748494a53548a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b8bac2c3c4c5"
      "c6c7c8c9cad2d3d4d5d6d7d8d9dae2e3e4e5e6e7e8e9eaf2f3f4f5f6f7f826faffda000c03010003110311003f004d49e326"
      "dd2155841dc4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae2e3e4e5e6e7e8e9eaf2f3f4f5f6f90800da000c03010002110311003f"
      "6574e73a293236adeef6db14328191d9");
  ASSERT_EQ(jpeg.size(), 566u);
  EXPECT_ERROR_WITH(decode_image(jpeg, 0, 0, 0, "stale.jpg"), "stale.jpg", "corrupt JPEG", "Huffman table",
                    "not defined");
  // The same in a good baseline file: components 2 and 3 switched to AC table 2.
  const Bytes baseline = with_replaced(small_jpeg(), "ffda000c03010002110311", "ffda000c03010002120312");
  EXPECT_ERROR_WITH(decode_image(baseline, 0, 0, 0, "ac2.jpg"), "ac2.jpg", "corrupt JPEG", "not defined");
  // And in a progressive one: the first AC scan's table defined as AC 2 instead of AC 0.
  const Bytes progressive = with_replaced(progressive_jpeg(), "ffc4001610", "ffc4001612");
  EXPECT_ERROR_WITH(decode_image(progressive, 0, 0, 0, "p.jpg"), "p.jpg", "corrupt JPEG", "not defined");
}

// A progressive scan uses only the tables it decodes with: a DC scan names
// AC tables defined later, a DC refinement scan needs no table at all. The
// guard must not refuse either.
TEST(FuzzRegressionTest, ProgressiveJpegWithTablesDefinedLaterStillDecodes) {
  const Image image = decode_image(progressive_jpeg());
  ASSERT_EQ(image.width, 8);
  ASSERT_EQ(image.height, 8);
  ASSERT_EQ(image.channels, 3);
  double total_error = 0;
  for (int y = 0; y < 8; ++y)
    for (int x = 0; x < 8; ++x) {
      const int expected[3] = {x * 32, y * 32, 255 - 16 * x - 16 * y};
      for (int c = 0; c < 3; ++c) total_error += std::abs(image.pixels[size_t((y * 8 + x) * 3 + c)] - expected[c]);
    }
  EXPECT_LT(total_error / (8 * 8 * 3), 12.0);  // quality 50 of a gradient
  // The DC refinement scan naming DC table 2, which no DHT defines, decodes the same.
  const Bytes refinement_names_dc2 =
      with_replaced(progressive_jpeg(), "ffda000c03010002000300000010", "ffda000c03010002200320000010");
  EXPECT_EQ(decode_image(refinement_names_dc2).pixels, image.pixels);
}

// fuzz_model_json: weights given in base64 could be NaN or infinite; the
// model loaded and then could not be saved again.
TEST(FuzzRegressionTest, Base64WeightsMustBeFinite) {
  // "AAAAAAAAwH8=" is the float32 pair [0, NaN] (little-endian 0x7FC00000).
  const std::string text = R"({"format": "distillery-model", "version": 1, "input_shape": [1], "class_names": ["a", "b"],
    "layers": [{"type": "dense", "units": 2, "weights": {"kernel": {"shape": [1, 2], "data": [1, 2]},
                                                          "bias": {"shape": [2], "base64": "AAAAAAAAwH8="}}}]})";
  EXPECT_ERROR_WITH(load_model_json(text), "layer 0 (dense): weights.bias.base64 value 1 is NaN or infinite");
}

// fuzz_model_json (session 4, after 5.0M inputs): an empty base64 weight
// string made memcpy run with null pointers, undefined even for 0 bytes
// (UBSan stops here in the sanitizer build without the fix).
TEST(FuzzRegressionTest, EmptyBase64WeightsAreTheWrongCountNotUndefinedBehaviour) {
  const std::string text = R"({"format": "distillery-model", "version": 1, "input_shape": [1], "class_names": ["a", "b"],
    "layers": [{"type": "dense", "units": 2, "weights": {"kernel": {"shape": [1, 2], "base64": ""}}}]})";
  EXPECT_ERROR_WITH(load_model_json(text), "layer 0 (dense): weights.kernel.base64 holds 0 values but shape [1, 2] needs 2");
  EXPECT_EQ(floats_to_base64(nullptr, 0), "");
  EXPECT_TRUE(base64_to_floats("").empty());
}

// fuzz_arch_spec: a number beyond double ("1E115111111") made nlohmann throw
// out_of_range, which no caller caught.
TEST(FuzzRegressionTest, NumbersBeyondDoubleAreAnError) {
  EXPECT_ERROR_WITH(parse_arch_spec("[1111E11511111]", 3, 3), "the JSON architecture is not valid JSON",
                    "number overflow");
  EXPECT_ERROR_WITH(load_model_json(R"({"format": "distillery-model", "version": 1e400})"),
                    "the model file is not valid JSON", "number overflow");
}

// fuzz_arch_spec: a JSON architecture whose last dense layer had "units": "relu"
// made nlohmann throw type_error 302 while checking for an output layer.
TEST(FuzzRegressionTest, JsonArchitectureWithStringUnits) {
  const auto layers = parse_arch_spec(R"({"layers": [{"type": "dense", "units": "relu"}]})", 3, 3);
  ASSERT_EQ(layers.back()["units"], 3);  // not taken for the output layer: one is added
  Rng rng(1);
  EXPECT_ERROR_WITH(Model::from_layer_configs(layers, Shape{4, 4, 1}, rng), "units");
}

// fuzz_arch_spec: "units": 5.9e62 reached get<int>(), undefined behaviour;
// an integer past int's range (4294967298) would have become 2 units.
TEST(FuzzRegressionTest, LayerIntegersOutOfRangeAreAnError) {
  Rng rng(1);
  for (const char* units : {"5.88888e62", "4294967298", "-4294967298", "2147483648"}) {
    const auto layers = parse_arch_spec(std::string(R"([{"type": "dense", "units": )") + units + "}]", 3, 1);
    EXPECT_ERROR_WITH(Model::from_layer_configs(layers, Shape{4}, rng), "layer 'dense'", "\"units\"", "out of range");
  }
  const auto fits = parse_arch_spec(R"([{"type": "dense", "units": 4.0}])", 3, 1);
  EXPECT_EQ(Model::from_layer_configs(fits, Shape{4}, rng).num_outputs(), 3);
}

// fuzz_tfjs: a Sequential model.json without "config" ("coofig") made
// nlohmann throw type_error 306 (value() on null), which escaped as a crash.
TEST(FuzzRegressionTest, TfjsSequentialWithoutConfig) {
  const std::string text =
      R"({"format": "layers-model", "modelTopology": {"class_name": "Sequential", "coofig": {}}, "weightsManifest": []})";
  EXPECT_ERROR_WITH(import_tfjs_model(text, {}), "the Sequential model has no \"layers\" list");
}

// fuzz_image: a PNG whose first IDAT chunk is empty made stb_image memcpy
// 0 bytes to its not yet allocated buffer (NULL), undefined behaviour.
TEST(FuzzRegressionTest, PngWithEmptyFirstIdat) {
  Bytes png = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A,
               0, 0, 0, 13, 'I', 'H', 'D', 'R', 0, 0, 0, 3, 0, 0, 0, 3, 8, 2, 0, 0, 0, 0x61, 0, 0, 0,
               0, 0, 0, 0, 'I', 'D', 'A', 'T', 0x88, 0xA1, 0x9C, 0xC7,
               0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xAE, 0x42, 0x60, 0x82};
  EXPECT_ERROR_WITH(read_image_info(png, "empty.png"), "empty.png", "corrupt PNG", "first IDAT chunk is empty");
  EXPECT_ERROR_WITH(decode_image(png, 0, 0, 0, "empty.png"), "corrupt PNG");
}

// fuzz_image: a 117-byte PNG whose IDAT chunk declared about 1 GB made
// stb_image allocate 2 GB before finding the data missing.
TEST(FuzzRegressionTest, PngIdatLongerThanTheFile) {
  Bytes png = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A,
               0, 0, 0, 13, 'I', 'H', 'D', 'R', 0, 0, 0, 2, 0, 0, 0, 3, 8, 6, 0, 0, 0, 0xB9, 0xEA, 0xDE, 0x81,
               0x40, 0, 0, 0, 'I', 'D', 'A', 'T', 0x78, 0x5E, 0x9D, 0x00,
               0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xAE, 0x42, 0x60, 0x82};
  EXPECT_ERROR_WITH(read_image_info(png, "long.png"), "long.png", "corrupt PNG", "runs past the end of the file");
  // A real PNG (several IDAT chunks are allowed) still decodes.
  const Image image = decode_image(test::solid_png(3, 2, {200}));
  EXPECT_EQ(image.width, 3);
}

// fuzz_model_json: a model of input [3, 3, 2] loaded (no "color" given), but was
// saved with "color": "gray", which its own loader then refused for 2 channels.
TEST(FuzzRegressionTest, TwoChannelModelSavesAndLoadsBack) {
  const std::string text = R"({"format": "distillery-model", "version": 1, "input_shape": [3, 3, 2],
    "class_names": ["a", "b"], "preprocessing": {"scale": 1, "mean": 0, "std": 1},
    "layers": [{"type": "flatten"}, {"type": "dense", "units": 2, "weights": {
      "kernel": {"shape": [18, 2], "data": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18,
                                            1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]},
      "bias": {"shape": [2], "data": [0.5, -0.5]}}}]})";
  const Model model = load_model_json(text);
  const Model again = load_model_json(save_model_json(model, {WeightsEncoding::kBase64, -1}));
  EXPECT_EQ(again.input_shape().dims, model.input_shape().dims);
  EXPECT_EQ(again.params().values, model.params().values);
}

// fuzz_zip (session 4, CI's seeded 150,000-input pass): a 52-byte file with a
// ZIP64 locator. The check "record <= size - 56" wrapped around for files
// shorter than 56 bytes, and the ZIP64 record was read far past the end.
TEST(FuzzRegressionTest, Zip64LocatorInAFileShorterThanItsRecord) {
  std::vector<uint8_t> bytes = {0x50, 0x4b, 0x06, 0x07, 0, 0, 0, 0,      // ZIP64 locator, disk 0
                                0xe8, 0x03, 0, 0, 0, 0, 0, 0,            // its record at offset 1000
                                1, 0, 0, 0,                              // 1 disk
                                0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0,      // end record, disk 0
                                0xff, 0xff, 0xff, 0xff,                  // entries: see ZIP64
                                0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0};
  EXPECT_ERROR_WITH(unzip(bytes, "short.zip"), "short.zip: corrupt ZIP64 end of central directory");
}

}  // namespace
}  // namespace distillery
