// Image decoding through stb_image: exact round trips, colour conversion,
// resizing, header limits and corrupt files.
#include "engine/data/image.h"

#include <gtest/gtest.h>

#include "engine/data/data_builders.h"
#include "engine/data/test_util.h"

namespace distillery {
namespace {

using test::Bytes;

Bytes gradient(int width, int height, int channels) {
  Bytes pixels(size_t(width * height * channels));
  for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = uint8_t(i * 5 + 3);
  return pixels;
}

TEST(ImageTest, DecodesPngExactly) {
  for (int channels : {1, 3}) {
    const Bytes pixels = gradient(7, 5, channels);
    const Image image = decode_image(test::encode_png(7, 5, channels, pixels));
    EXPECT_EQ(image.width, 7);
    EXPECT_EQ(image.height, 5);
    EXPECT_EQ(image.channels, channels);
    EXPECT_EQ(image.pixels, pixels);
  }
}

TEST(ImageTest, DecodesBmp) {
  const Bytes pixels = gradient(4, 3, 3);
  const Image image = decode_image(test::encode_bmp(4, 3, 3, pixels), 0, 0, 0, "x.bmp");
  EXPECT_EQ(image.channels, 3);
  EXPECT_EQ(image.pixels, pixels);
}

TEST(ImageTest, DropsAlphaAndKeepsGrayAlphaGray) {
  const Image rgb = decode_image(test::solid_png(2, 2, {10, 20, 30, 0}));
  EXPECT_EQ(rgb.channels, 3);
  EXPECT_EQ(rgb.pixels, (Bytes{10, 20, 30, 10, 20, 30, 10, 20, 30, 10, 20, 30}));
  const Image gray_alpha = decode_image(test::solid_png(2, 2, {77, 128}));
  EXPECT_EQ(gray_alpha.channels, 1);
  EXPECT_EQ(gray_alpha.pixels, Bytes(4, 77));
}

TEST(ImageTest, ConvertsGrayToRgbAndBack) {
  const Image rgb = decode_image(test::solid_png(3, 2, {90}), 0, 0, 3);
  EXPECT_EQ(rgb.channels, 3);
  EXPECT_EQ(rgb.pixels, Bytes(3 * 2 * 3, 90));
  // Pure red, green and blue: luma weights 77, 150, 29 out of 256.
  EXPECT_EQ(decode_image(test::solid_png(1, 1, {255, 0, 0}), 0, 0, 1).pixels, Bytes{76});
  EXPECT_EQ(decode_image(test::solid_png(1, 1, {0, 255, 0}), 0, 0, 1).pixels, Bytes{149});
  EXPECT_EQ(decode_image(test::solid_png(1, 1, {0, 0, 255}), 0, 0, 1).pixels, Bytes{28});
  // convert_channels agrees with what stb_image does while decoding.
  uint8_t gray = 0;
  const uint8_t colour[3] = {200, 100, 50};
  convert_channels(colour, 1, 3, &gray, 1);
  EXPECT_EQ(decode_image(test::solid_png(1, 1, {200, 100, 50}), 0, 0, 1).pixels[0], gray);
}

TEST(ImageTest, ResizesToTheTargetSize) {
  const Image flat = decode_image(test::solid_png(40, 30, {12, 200, 99}), 8, 10, 3);
  EXPECT_EQ(flat.height, 8);
  EXPECT_EQ(flat.width, 10);
  // A constant image stays constant whatever the filter.
  EXPECT_EQ(flat.pixels.size(), 8u * 10 * 3);
  for (size_t i = 0; i < flat.pixels.size(); i += 3) {
    EXPECT_NEAR(flat.pixels[i], 12, 1);
    EXPECT_NEAR(flat.pixels[i + 1], 200, 1);
    EXPECT_NEAR(flat.pixels[i + 2], 99, 1);
  }
  // Left half black, right half white: after halving, the left column is dark and the right one bright.
  Bytes halves(8 * 8);
  for (int y = 0; y < 8; ++y)
    for (int x = 0; x < 8; ++x) halves[size_t(y * 8 + x)] = x < 4 ? 0 : 255;
  const Image small = decode_image(test::encode_png(8, 8, 1, halves), 4, 4, 1);
  EXPECT_LT(small.pixels[0], 20);
  EXPECT_GT(small.pixels[3], 235);
}

TEST(ImageTest, ReadsTheHeaderWithoutDecoding) {
  const ImageInfo info = read_image_info(test::solid_png(33, 17, {1, 2, 3}));
  EXPECT_EQ(info.width, 33);
  EXPECT_EQ(info.height, 17);
  EXPECT_EQ(info.channels, 3);
}

// A PNG whose IHDR claims other dimensions (stb_image does not check chunk CRCs).
Bytes png_claiming(uint32_t width, uint32_t height) {
  Bytes png = test::solid_png(2, 2, {0});
  for (int k = 0; k < 4; ++k) {
    png[size_t(16 + k)] = uint8_t(width >> (24 - 8 * k));
    png[size_t(20 + k)] = uint8_t(height >> (24 - 8 * k));
  }
  return png;
}

TEST(ImageTest, RejectsHugeDimensionsFromTheHeader) {
  EXPECT_ERROR_WITH(decode_image(png_claiming(100000, 100000), 0, 0, 0, "huge.png"), "huge.png", "100000x100000",
                    "over the limit");
  // Within the side limit but over the pixel limit.
  EXPECT_ERROR_WITH(read_image_info(png_claiming(16000, 16000), "wide.png"), "wide.png", "16000x16000");
  DataLimits tight;
  tight.max_image_side = 32;
  EXPECT_ERROR_WITH(read_image_info(test::solid_png(33, 2, {0}), "a.png", tight), "a.png", "33x2");
}

TEST(ImageTest, ACorruptImageNamesItsFile) {
  Bytes png = test::encode_png(16, 16, 3, gradient(16, 16, 3));
  Bytes truncated(png.begin(), png.begin() + long(png.size() / 2));
  EXPECT_ERROR_WITH(decode_image(truncated, 0, 0, 0, "cats/3.png"), "cats/3.png", "cannot decode");
  EXPECT_ERROR_WITH(decode_image(test::to_bytes("not an image at all"), 0, 0, 0, "notes.png"), "notes.png",
                    "not a supported image");
  EXPECT_ERROR_WITH(decode_image({}, 0, 0, 0, "empty.png"), "empty.png", "empty");
}

TEST(ImageTest, RejectsImpossibleTargets) {
  const Bytes png = test::solid_png(2, 2, {0});
  EXPECT_ERROR_WITH(decode_image(png, 4, 4, 2, "x.png"), "x.png", "not 2");
  EXPECT_ERROR_WITH(decode_image(png, -1, 4, 1, "x.png"), "x.png", "-1x4");
}

TEST(ImageTest, RecognisesImageExtensions) {
  EXPECT_TRUE(has_image_extension("a/b.PNG"));
  EXPECT_TRUE(has_image_extension("x.jpeg"));
  EXPECT_TRUE(has_image_extension("x.Jpg"));
  EXPECT_TRUE(has_image_extension("x.gif"));
  EXPECT_TRUE(has_image_extension("x.bmp"));
  EXPECT_FALSE(has_image_extension("x.txt"));
  EXPECT_FALSE(has_image_extension("png"));
  EXPECT_FALSE(has_image_extension("dir.png/readme"));
}

}  // namespace
}  // namespace distillery
