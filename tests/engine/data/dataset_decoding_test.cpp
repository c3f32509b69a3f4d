// decode_dataset: choosing the format from the files given, as the web app's
// upload and the CLI hand them over.
#include "engine/data/dataset_decoding.h"

#include <gtest/gtest.h>

#include "engine/data/data_builders.h"
#include "engine/data/idx.h"
#include "engine/data/test_util.h"

namespace distillery {
namespace {

using test::Bytes;

FileEntry png(const std::string& path, int size, uint8_t value) {
  return FileEntry{path, test::solid_png(size, size, {value})};
}

Bytes idx_pixels(int count) {
  Bytes pixels(size_t(count * 4));
  for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = uint8_t(i);
  return pixels;
}

TEST(DecodeDatasetTest, AZipOfClassFolders) {
  const Bytes archive = test::ZipBuilder()
                            .add_directory("shapes/")
                            .add("shapes/circle/1.png", test::solid_png(3, 3, {10}), true)
                            .add("shapes/square/1.png", test::solid_png(3, 3, {20}))
                            .add("__MACOSX/shapes/._x", test::to_bytes("junk"))
                            .build();
  const Dataset data = decode_dataset({{"shapes.zip", archive}});
  EXPECT_EQ(data.class_names, (std::vector<std::string>{"circle", "square"}));
  EXPECT_EQ(data.sample_shape(), (Shape{3, 3, 1}));
  EXPECT_EQ(data.image(1)[4], 20);
}

TEST(DecodeDatasetTest, AFolderUpload) {
  const Dataset data = decode_dataset({png("cat/1.png", 2, 1), png("dog/1.png", 2, 2), png("dog/2.png", 2, 3)});
  EXPECT_EQ(data.size(), 3);
  EXPECT_EQ(data.class_counts(), (std::vector<int>{1, 2}));
}

TEST(DecodeDatasetTest, ACsvPlainGzippedOrInsideAZip) {
  const std::string csv = "label,p1,p2,p3,p4\ncat,1,2,3,4\ndog,5,6,7,8\n";
  const Dataset plain = decode_dataset({{"pets.csv", test::to_bytes(csv)}});
  EXPECT_EQ(plain.class_names, (std::vector<std::string>{"cat", "dog"}));
  EXPECT_EQ(plain.sample_shape(), (Shape{2, 2, 1}));
  EXPECT_EQ(decode_dataset({{"pets.csv.gz", test::gzip(test::to_bytes(csv))}}).pixels, plain.pixels);
  const Bytes archive = test::ZipBuilder().add("data/pets.csv", test::to_bytes(csv), true).build();
  EXPECT_EQ(decode_dataset({{"upload.zip", archive}}).labels, plain.labels);
}

TEST(DecodeDatasetTest, IdxImagesWithLabelsFoundByStandardName) {
  const std::vector<FileEntry> files = {
      {"t10k-labels-idx1-ubyte.gz", test::gzip(test::idx_labels({0, 1}))},
      {"train-labels-idx1-ubyte.gz", test::gzip(test::idx_labels({3, 3, 3}))},
      {"train-images-idx3-ubyte.gz", test::gzip(test::idx_images(3, 2, 2, idx_pixels(3)))}};
  const Dataset data = decode_dataset(files);
  EXPECT_EQ(data.labels, (std::vector<int>{3, 3, 3}));
  EXPECT_EQ(data.pixels, idx_pixels(3));
  EXPECT_EQ(data.class_names[3], "3");
}

TEST(DecodeDatasetTest, IdxPairRecognisedByMagicAndFashionByPath) {
  const std::vector<FileEntry> files = {{"fashion/imgs.bin", test::idx_images(2, 2, 2, idx_pixels(2))},
                                        {"fashion/lbls.bin", test::idx_labels({0, 9})}};
  const Dataset data = decode_dataset(files);
  EXPECT_EQ(data.class_names, fashion_mnist_class_names());
  // Roles known from the caller (the CLI's --labels), whatever the names.
  const Dataset explicit_pair = decode_idx_files(files[0], files[1]);
  EXPECT_EQ(explicit_pair.labels, (std::vector<int>{0, 9}));
}

TEST(DecodeDatasetTest, IdxInsideAZip) {
  const Bytes archive = test::ZipBuilder()
                            .add("mnist/train-images-idx3-ubyte", test::idx_images(2, 2, 2, idx_pixels(2)), true)
                            .add("mnist/train-labels-idx1-ubyte", test::idx_labels({4, 2}))
                            .build();
  EXPECT_EQ(decode_dataset({{"mnist.zip", archive}}).labels, (std::vector<int>{4, 2}));
}

TEST(DecodeDatasetTest, ConvertsToTheWantedShape) {
  DatasetOptions options;
  options.height = 4;
  options.width = 4;
  options.channels = 3;
  const Dataset data = decode_dataset({{"train-images-idx3-ubyte", test::idx_images(1, 2, 2, {9, 9, 9, 9})},
                                       {"train-labels-idx1-ubyte", test::idx_labels({1})}},
                                      options);
  EXPECT_EQ(data.sample_shape(), (Shape{4, 4, 3}));
  for (uint8_t p : data.pixels) EXPECT_NEAR(p, 9, 1);
  // Image folders are decoded straight to the wanted shape.
  const Dataset folder = decode_dataset({png("a/1.png", 8, 100), png("b/1.png", 2, 50)}, options);
  EXPECT_EQ(folder.sample_shape(), (Shape{4, 4, 3}));
}

TEST(DecodeDatasetTest, ExplainsWhatIsMissingOrUnknown) {
  EXPECT_ERROR_WITH(decode_dataset({}), "no dataset files");
  EXPECT_ERROR_WITH(decode_dataset({{"train-images-idx3-ubyte.gz", test::gzip(test::idx_images(1, 1, 1, {0}))}}),
                    "train-images-idx3-ubyte.gz", "labels", "train-labels-idx1-ubyte");
  EXPECT_ERROR_WITH(decode_dataset({{"train-labels-idx1-ubyte", test::idx_labels({0})}}), "images file is needed");
  EXPECT_ERROR_WITH(decode_dataset({png("cat.png", 2, 0)}), "cat.png", "a single image is not a dataset");
  EXPECT_ERROR_WITH(decode_dataset({{"notes.docx", test::to_bytes("hello")}}), "notes.docx",
                    "unknown dataset format");
  EXPECT_ERROR_WITH(decode_dataset({{"a.txt", test::to_bytes("x")}, {"b.txt", test::to_bytes("y")}}),
                    "unknown dataset format");
  EXPECT_ERROR_WITH(decode_dataset({{"a.gz", test::gzip(test::to_bytes("plain words"))}}), "a.gz",
                    "unknown dataset format inside");
}

TEST(DecodeDatasetTest, RejectsAmbiguousOrNestedInputs) {
  const std::vector<FileEntry> two_sets = {{"train-images-idx3-ubyte", test::idx_images(1, 1, 1, {0})},
                                           {"t10k-images-idx3-ubyte", test::idx_images(1, 1, 1, {0})},
                                           {"train-labels-idx1-ubyte", test::idx_labels({0})}};
  EXPECT_ERROR_WITH(decode_dataset(two_sets), "several IDX image files", "choose one");
  const Bytes inner = test::ZipBuilder().add("a/1.png", test::solid_png(1, 1, {0})).build();
  const Bytes outer = test::ZipBuilder().add("inner.zip", inner).build();
  EXPECT_ERROR_WITH(decode_dataset({{"outer.zip", outer}}), "outer.zip", "ZIP inside a ZIP");
  DatasetOptions bad;
  bad.channels = 2;
  EXPECT_ERROR_WITH(decode_dataset({png("a/1.png", 2, 0), png("b/1.png", 2, 0)}, bad), "not 2");
}

TEST(DecodeDatasetTest, ErrorsInsideAZipNameTheArchiveAndTheEntry) {
  const Bytes archive = test::ZipBuilder()
                            .add("cat/1.png", test::solid_png(2, 2, {0}))
                            .add("dog/1.png", test::to_bytes("\x89PNG broken"))
                            .build();
  EXPECT_ERROR_WITH(decode_dataset({{"pets.zip", archive}}), "pets.zip", "dog/1.png");
  const Bytes one_class = test::ZipBuilder().add("cat/1.png", test::solid_png(2, 2, {0})).add("cat/2.png", test::solid_png(2, 2, {0})).build();
  EXPECT_ERROR_WITH(decode_dataset({{"cats.zip", one_class}}), "cats.zip", "only one class 'cat'");
}

}  // namespace
}  // namespace distillery
