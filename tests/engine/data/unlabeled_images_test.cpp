// decode_unlabeled_images: a distillation transfer set, images that nobody
// labelled, in every format a labelled dataset comes in.
#include <gtest/gtest.h>

#include "engine/data/data_builders.h"
#include "engine/data/dataset_decoding.h"
#include "engine/data/idx.h"
#include "engine/data/image_folder.h"
#include "engine/data/test_util.h"

namespace distillery {
namespace {

using test::Bytes;

Bytes idx_pixels(int count, int height, int width) {
  Bytes pixels(size_t(count * height * width));
  for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = uint8_t(i * 7);
  return pixels;
}

void expect_unlabeled(const Dataset& data, int count) {
  EXPECT_EQ(data.size(), count);
  EXPECT_EQ(data.labels, std::vector<int>(size_t(count), Dataset::kUnlabeled));
  EXPECT_TRUE(data.class_names.empty());
  EXPECT_EQ(data.pixels.size(), size_t(count) * size_t(data.image_bytes()));
}

TEST(UnlabeledImagesTest, IdxImagesAloneEitherPlainOrGzipped) {
  const Bytes images = test::idx_images(3, 2, 4, idx_pixels(3, 2, 4));
  const Dataset plain = decode_unlabeled_images({{"train-images-idx3-ubyte", images}});
  expect_unlabeled(plain, 3);
  EXPECT_EQ(plain.sample_shape(), (Shape{2, 4, 1}));
  EXPECT_EQ(plain.pixels, idx_pixels(3, 2, 4));

  const Dataset gzipped = decode_unlabeled_images({{"train-images-idx3-ubyte.gz", test::gzip(images)}});
  expect_unlabeled(gzipped, 3);
  EXPECT_EQ(gzipped.pixels, plain.pixels);
  // Recognised by its magic inside an unnamed gzip too.
  EXPECT_EQ(decode_unlabeled_images({{"imgs.gz", test::gzip(images)}}).pixels, plain.pixels);
}

TEST(UnlabeledImagesTest, IdxLabelsBesideTheImagesAreIgnored) {
  const Dataset data = decode_unlabeled_images({{"t10k-images-idx3-ubyte", test::idx_images(2, 1, 1, {5, 6})},
                                                {"t10k-labels-idx1-ubyte", test::idx_labels({7, 8, 9})}});
  expect_unlabeled(data, 2);
  EXPECT_ERROR_WITH(decode_unlabeled_images({{"train-images-idx3-ubyte", test::idx_images(1, 1, 1, {0})},
                                             {"t10k-images-idx3-ubyte", test::idx_images(1, 1, 1, {0})}}),
                    "several IDX image files", "choose one");
}

TEST(UnlabeledImagesTest, DecodeIdxImagesKeepsTheLabelledDecodersChecks) {
  IdxOptions options;
  options.images_name = "x-images-idx3-ubyte";
  expect_unlabeled(decode_idx_images(test::idx_images(2, 3, 3, idx_pixels(2, 3, 3)), options), 2);
  EXPECT_ERROR_WITH(decode_idx_images(test::idx_labels(Bytes(8, 0)), options), "x-images-idx3-ubyte",
                    "not an IDX images file");
  // decode_idx is decode_idx_images plus the labels.
  const Dataset labelled = decode_idx(test::idx_images(2, 1, 1, {1, 2}), test::idx_labels({0, 1}));
  EXPECT_EQ(labelled.labels, (std::vector<int>{0, 1}));
  EXPECT_EQ(labelled.num_classes(), 10);
}

TEST(UnlabeledImagesTest, AFolderOfLooseImagesOrAnyFolders) {
  const Dataset loose = decode_unlabeled_images({{"b.png", test::solid_png(3, 3, {20})},
                                                 {"a.png", test::solid_png(3, 3, {10})},
                                                 {".DS_Store", test::to_bytes("finder")},
                                                 {"notes.txt", test::to_bytes("ignored")}});
  expect_unlabeled(loose, 2);
  EXPECT_EQ(loose.sample_shape(), (Shape{3, 3, 1}));
  EXPECT_EQ(loose.image(0)[0], 10);  // sorted by path
  EXPECT_EQ(loose.image(1)[0], 20);
  // Class folders (even just one), nested folders and loose images all count.
  const Dataset mixed = decode_unlabeled_images({{"cat/1.png", test::solid_png(3, 3, {1})},
                                                 {"deep/er/2.png", test::solid_png(3, 3, {2})},
                                                 {"3.png", test::solid_png(3, 3, {3})}});
  expect_unlabeled(mixed, 3);
  // A single image is a transfer set of one.
  expect_unlabeled(decode_unlabeled_images({{"one.png", test::solid_png(2, 2, {9})}}), 1);
}

TEST(UnlabeledImagesTest, ImageFolderOptionLeavesTheLabelledBehaviourAlone) {
  const std::vector<FileEntry> one_class = {{"cat/1.png", test::solid_png(2, 2, {1})},
                                            {"cat/2.png", test::solid_png(2, 2, {2})}};
  EXPECT_ERROR_WITH(decode_image_folder(one_class), "only one class 'cat'");
  ImageFolderOptions options;
  options.unlabeled = true;
  expect_unlabeled(decode_image_folder(one_class, options), 2);
  EXPECT_ERROR_WITH(decode_image_folder({{"x.txt", test::to_bytes("x")}}, options), "no images found");
}

TEST(UnlabeledImagesTest, AZipOfImages) {
  const Bytes archive = test::ZipBuilder()
                            .add_directory("transfer/")
                            .add("transfer/1.png", test::solid_png(4, 4, {10}), true)
                            .add("transfer/more/2.png", test::solid_png(4, 4, {20}))
                            .add("__MACOSX/transfer/._1.png", test::to_bytes("junk"))
                            .build();
  const Dataset data = decode_unlabeled_images({{"transfer.zip", archive}});
  expect_unlabeled(data, 2);
  EXPECT_EQ(data.sample_shape(), (Shape{4, 4, 1}));
  EXPECT_EQ(data.image(1)[5], 20);

  const Bytes broken = test::ZipBuilder().add("1.png", test::to_bytes("\x89PNG broken")).build();
  EXPECT_ERROR_WITH(decode_unlabeled_images({{"broken.zip", broken}}), "broken.zip", "1.png");
}

TEST(UnlabeledImagesTest, ALabelledCsvLosesItsLabels) {
  const std::string csv = "label,p1,p2,p3,p4\ncat,1,2,3,4\ndog,5,6,7,8\ncat,9,10,11,12\n";
  const Dataset data = decode_unlabeled_images({{"pets.csv", test::to_bytes(csv)}});
  expect_unlabeled(data, 3);
  EXPECT_EQ(data.sample_shape(), (Shape{2, 2, 1}));
  EXPECT_EQ(data.pixels, (Bytes{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}));
}

TEST(UnlabeledImagesTest, ConvertsToTheWantedShape) {
  DatasetOptions options;
  options.height = 28;
  options.width = 28;
  options.channels = 1;
  const Dataset data = decode_unlabeled_images(
      {{"a.png", test::solid_png(32, 32, {200, 200, 200})}, {"b.png", test::solid_png(32, 32, {50, 50, 50})}},
      options);
  expect_unlabeled(data, 2);
  EXPECT_EQ(data.sample_shape(), (Shape{28, 28, 1}));
  for (int i = 0; i < 28 * 28; ++i) EXPECT_NEAR(data.image(0)[i], 200, 1);
  // Formats decoded at their own shape (IDX) are converted afterwards.
  options.channels = 3;
  const Dataset idx = decode_unlabeled_images({{"train-images-idx3-ubyte", test::idx_images(1, 2, 2, {9, 9, 9, 9})}},
                                              options);
  expect_unlabeled(idx, 1);
  EXPECT_EQ(idx.sample_shape(), (Shape{28, 28, 3}));
}

TEST(UnlabeledImagesTest, ExplainsWhatIsMissingOrWrong) {
  EXPECT_ERROR_WITH(decode_unlabeled_images({}), "no image files given");
  EXPECT_ERROR_WITH(decode_unlabeled_images({{".hidden", test::to_bytes("x")}}), "only hidden files");
  EXPECT_ERROR_WITH(decode_unlabeled_images({{"notes.docx", test::to_bytes("hello")}}), "notes.docx",
                    "no images found");
  EXPECT_ERROR_WITH(decode_unlabeled_images({{"a.txt", test::to_bytes("x")}, {"b.txt", test::to_bytes("y")}}),
                    "no images found in 2 files");
  const Bytes truncated = test::idx_images(5, 2, 2, idx_pixels(2, 2, 2));
  EXPECT_ERROR_WITH(decode_unlabeled_images({{"train-images-idx3-ubyte", truncated}}), "train-images-idx3-ubyte",
                    "truncated");
  DatasetOptions bad;
  bad.channels = 2;
  EXPECT_ERROR_WITH(decode_unlabeled_images({{"a.png", test::solid_png(2, 2, {0})}}, bad), "not 2");
}

}  // namespace
}  // namespace distillery
