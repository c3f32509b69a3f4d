// IDX (MNIST format): plain and gzip files, class names, the standard file
// names, and declared counts that do not match the bytes.
#include "engine/data/idx.h"

#include <gtest/gtest.h>

#include "engine/data/data_builders.h"
#include "engine/data/test_util.h"

namespace distillery {
namespace {

using test::Bytes;

Bytes pixels_for(int count, int height, int width) {
  Bytes pixels(size_t(count * height * width));
  for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = uint8_t(i * 31 + 7);
  return pixels;
}

TEST(IdxTest, DecodesImagesAndLabels) {
  const Bytes pixels = pixels_for(3, 4, 5);
  const Dataset data = decode_idx(test::idx_images(3, 4, 5, pixels), test::idx_labels({2, 0, 9}));
  EXPECT_EQ(data.size(), 3);
  EXPECT_EQ(data.sample_shape(), (Shape{4, 5, 1}));
  EXPECT_EQ(data.pixels, pixels);
  EXPECT_EQ(data.labels, (std::vector<int>{2, 0, 9}));
  ASSERT_EQ(data.num_classes(), 10);
  EXPECT_EQ(data.class_names[0], "0");
  EXPECT_EQ(data.class_names[9], "9");
}

TEST(IdxTest, DecodesGzippedFiles) {
  const Bytes pixels = pixels_for(2, 3, 3);
  const Dataset data = decode_idx(test::gzip(test::idx_images(2, 3, 3, pixels)), test::gzip(test::idx_labels({1, 1})));
  EXPECT_EQ(data.pixels, pixels);
  EXPECT_EQ(data.labels, (std::vector<int>{1, 1}));
}

TEST(IdxTest, NamesFashionMnistClassesWhenAsked) {
  IdxOptions options;
  options.fashion_mnist_names = true;
  const Dataset data = decode_idx(test::idx_images(1, 2, 2, pixels_for(1, 2, 2)), test::idx_labels({9}), options);
  ASSERT_EQ(data.class_names, fashion_mnist_class_names());
  EXPECT_EQ(data.class_names.front(), "T-shirt/top");
  EXPECT_EQ(data.class_names.back(), "Ankle boot");
  EXPECT_EQ(data.class_names[data.labels[0]], "Ankle boot");
}

TEST(IdxTest, NamesMoreThanTenClassesByNumber) {
  const Dataset data = decode_idx(test::idx_images(1, 1, 1, {5}), test::idx_labels({25}));
  ASSERT_EQ(data.num_classes(), 26);
  EXPECT_EQ(data.class_names[25], "25");
  IdxOptions fashion;
  fashion.fashion_mnist_names = true;
  fashion.labels_name = "l.idx";
  EXPECT_ERROR_WITH(decode_idx(test::idx_images(1, 1, 1, {5}), test::idx_labels({25}), fashion), "l.idx", "25");
}

TEST(IdxTest, RejectsACountLargerThanTheBytes) {
  IdxOptions options;
  options.images_name = "train-images-idx3-ubyte";
  // Declares 1000 images of 28x28 but holds 2.
  const Bytes images = test::idx_images(1000, 28, 28, pixels_for(2, 28, 28));
  EXPECT_ERROR_WITH(decode_idx(images, test::idx_labels(Bytes(1000, 0)), options), "train-images-idx3-ubyte",
                    "declares 1000 images of 28x28", "holds only 1568 bytes");
}

TEST(IdxTest, RejectsHugeDeclaredDimensionsWithoutAllocating) {
  // 0xFFFFFFFF images of 0xFFFF x 0xFFFF would overflow 32-bit arithmetic.
  Bytes images = test::idx_images(1, 1, 1, {0});
  for (int i = 4; i < 16; ++i) images[size_t(i)] = 0xFF;
  EXPECT_ERROR_WITH(decode_idx(images, test::idx_labels({0})), "implausible");
  Bytes big = test::idx_images(1, 1, 1, {0});
  big[4] = 0x7F;  // about 2 billion 1x1 images in 1 byte
  EXPECT_ERROR_WITH(decode_idx(big, test::idx_labels({0})), "holds only 1 bytes");
}

TEST(IdxTest, RejectsTrailingBytesAndLabelMismatches) {
  IdxOptions options;
  options.images_name = "imgs";
  options.labels_name = "lbls";
  EXPECT_ERROR_WITH(decode_idx(test::idx_images(1, 2, 2, pixels_for(2, 2, 2)), test::idx_labels({0}), options),
                    "imgs", "4 unexpected bytes");
  EXPECT_ERROR_WITH(decode_idx(test::idx_images(2, 2, 2, pixels_for(2, 2, 2)), test::idx_labels({0}), options),
                    "lbls", "1 labels", "2 images");
  Bytes short_labels = test::idx_labels({0, 1});
  short_labels.pop_back();
  EXPECT_ERROR_WITH(decode_idx(test::idx_images(2, 2, 2, pixels_for(2, 2, 2)), short_labels, options), "lbls",
                    "declares 2 labels but holds 1");
}

TEST(IdxTest, RejectsFilesSwappedOrWithoutIdxMagic) {
  const Bytes images = test::idx_images(1, 2, 2, pixels_for(1, 2, 2));
  const Bytes labels = test::idx_labels({0});
  EXPECT_ERROR_WITH(decode_idx(test::idx_labels(Bytes(8, 0)), images), "not an IDX images file", "0x00000801");
  EXPECT_ERROR_WITH(decode_idx(images, images), "not an IDX labels file", "0x00000803");
  EXPECT_ERROR_WITH(decode_idx(test::to_bytes("short"), labels), "too short");
}

TEST(IdxTest, RejectsATruncatedGzip) {
  Bytes packed = test::gzip(test::idx_images(4, 8, 8, pixels_for(4, 8, 8)));
  packed.resize(packed.size() / 2);
  IdxOptions options;
  options.images_name = "t10k-images-idx3-ubyte.gz";
  EXPECT_ERROR_WITH(decode_idx(packed, test::idx_labels({0, 1, 2, 3}), options), "t10k-images-idx3-ubyte.gz");
}

TEST(IdxTest, RecognisesTheStandardFileNames) {
  EXPECT_TRUE(is_idx_images_name("train-images-idx3-ubyte"));
  EXPECT_TRUE(is_idx_images_name("data/fashion/t10k-images-idx3-ubyte.gz"));
  EXPECT_TRUE(is_idx_images_name("train-images.idx3-ubyte"));
  EXPECT_FALSE(is_idx_images_name("train-labels-idx1-ubyte.gz"));
  EXPECT_TRUE(is_idx_labels_name("T10K-LABELS-IDX1-UBYTE.GZ"));
  EXPECT_FALSE(is_idx_labels_name("labels.csv"));
  EXPECT_EQ(idx_labels_name_for("dir/train-images-idx3-ubyte.gz"), "train-labels-idx1-ubyte");
  EXPECT_EQ(idx_labels_name_for("t10k-images.idx3-ubyte"), "t10k-labels.idx1-ubyte");
  EXPECT_EQ(idx_labels_name_for("picture.png"), "");
}

}  // namespace
}  // namespace distillery
