// Image folders: classes from folder names, a shared top folder stripped,
// shapes and colour chosen from the images, and the errors a user can cause.
#include "engine/data/image_folder.h"

#include <gtest/gtest.h>

#include "engine/data/data_builders.h"
#include "engine/data/test_util.h"

namespace distillery {
namespace {

using test::Bytes;

FileEntry png(const std::string& path, int width, int height, const std::vector<uint8_t>& colour) {
  return FileEntry{path, test::solid_png(width, height, colour)};
}

TEST(ImageFolderTest, ClassesComeFromFolderNamesInSortedOrder) {
  const std::vector<FileEntry> files = {png("zebra/1.png", 4, 4, {200}), png("ant/2.png", 4, 4, {10}),
                                        png("ant/1.png", 4, 4, {20}), png("moth/a.png", 4, 4, {30})};
  const Dataset data = decode_image_folder(files);
  EXPECT_EQ(data.class_names, (std::vector<std::string>{"ant", "moth", "zebra"}));
  // Samples in path order: ant/1, ant/2, moth/a, zebra/1.
  EXPECT_EQ(data.labels, (std::vector<int>{0, 0, 1, 2}));
  EXPECT_EQ(data.sample_shape(), (Shape{4, 4, 1}));
  EXPECT_EQ(data.image(0)[0], 20);
  EXPECT_EQ(data.image(1)[0], 10);
  EXPECT_EQ(data.image(3)[15], 200);
  EXPECT_EQ(data.class_counts(), (std::vector<int>{2, 1, 1}));
}

TEST(ImageFolderTest, StripsASharedTopFolder) {
  const std::vector<FileEntry> files = {png("pets/cat/1.png", 2, 2, {1}), png("pets/dog/1.png", 2, 2, {2}),
                                        png("pets/dog/puppies/2.png", 2, 2, {3})};
  const Dataset data = decode_image_folder(files);
  EXPECT_EQ(data.class_names, (std::vector<std::string>{"cat", "dog"}));
  EXPECT_EQ(data.labels, (std::vector<int>{0, 1, 1}));
}

TEST(ImageFolderTest, SkipsNonImagesAndHiddenFiles) {
  const std::vector<FileEntry> files = {png("cat/1.png", 2, 2, {1}), png("dog/1.png", 2, 2, {2}),
                                        {"README.txt", test::to_bytes("hello")},
                                        {"cat/labels.csv", test::to_bytes("1,2")},
                                        png("cat/.hidden.png", 2, 2, {9}), png(".thumbs/x.png", 2, 2, {9}),
                                        png("__MACOSX/cat/1.png", 2, 2, {9})};
  const Dataset data = decode_image_folder(files);
  EXPECT_EQ(data.size(), 2);
  EXPECT_EQ(data.class_names, (std::vector<std::string>{"cat", "dog"}));
}

TEST(ImageFolderTest, TakesTheFirstImagesSizeAndGrayWhenAllAreGray) {
  const std::vector<FileEntry> files = {png("a/1.png", 6, 4, {50}), png("b/1.png", 12, 8, {100})};
  const Dataset data = decode_image_folder(files);
  EXPECT_EQ(data.sample_shape(), (Shape{4, 6, 1}));
  EXPECT_NEAR(data.image(1)[0], 100, 1);
}

TEST(ImageFolderTest, UsesRgbWhenAnyImageIsInColour) {
  const std::vector<FileEntry> files = {png("a/1.png", 2, 2, {50}), png("b/1.png", 2, 2, {255, 0, 0})};
  const Dataset data = decode_image_folder(files);
  EXPECT_EQ(data.channels, 3);
  EXPECT_EQ(data.image(0)[0], 50);  // gray repeated into RGB
  EXPECT_EQ(data.image(0)[2], 50);
  EXPECT_EQ(data.image(1)[0], 255);
  EXPECT_EQ(data.image(1)[1], 0);
}

TEST(ImageFolderTest, BringsEveryImageToTheGivenShape) {
  ImageFolderOptions options;
  options.height = 3;
  options.width = 5;
  options.channels = 1;
  const std::vector<FileEntry> files = {png("a/1.png", 10, 10, {0, 0, 255}), png("b/1.png", 1, 1, {7})};
  const Dataset data = decode_image_folder(files, options);
  EXPECT_EQ(data.sample_shape(), (Shape{3, 5, 1}));
  EXPECT_EQ(data.pixels.size(), 2u * 15);
  EXPECT_NEAR(data.image(0)[7], 28, 1);  // blue in gray
  EXPECT_NEAR(data.image(1)[14], 7, 1);
}

TEST(ImageFolderTest, RejectsASingleClass) {
  const std::vector<FileEntry> files = {png("cat/1.png", 2, 2, {1}), png("cat/2.png", 2, 2, {2})};
  EXPECT_ERROR_WITH(decode_image_folder(files), "dataset has only one class 'cat'");
  const std::vector<FileEntry> rooted = {png("data/cat/1.png", 2, 2, {1}), png("data/cat/2.png", 2, 2, {2})};
  EXPECT_ERROR_WITH(decode_image_folder(rooted), "only one class 'cat'");
}

TEST(ImageFolderTest, ACorruptImageNamesItsFile) {
  std::vector<FileEntry> files = {png("cat/1.png", 4, 4, {1}), png("dog/1.png", 4, 4, {2})};
  files.push_back({"dog/broken.png", Bytes(files[1].bytes.begin(), files[1].bytes.begin() + 40)});
  EXPECT_ERROR_WITH(decode_image_folder(files), "dog/broken.png");
  files.back().bytes = test::to_bytes("GIF89a but not really");
  EXPECT_ERROR_WITH(decode_image_folder(files), "dog/broken.png");
}

TEST(ImageFolderTest, RejectsImagesOutsideClassFolders) {
  const std::vector<FileEntry> files = {png("root/cat/1.png", 2, 2, {1}), png("root/dog/1.png", 2, 2, {2}),
                                        png("root/preview.png", 2, 2, {3})};
  EXPECT_ERROR_WITH(decode_image_folder(files), "root/preview.png", "not inside a class folder");
}

TEST(ImageFolderTest, RejectsFoldersWithoutImages) {
  EXPECT_ERROR_WITH(decode_image_folder({{"a/readme.txt", test::to_bytes("x")}}), "no images found");
}

TEST(ImageFolderTest, EnforcesTheDatasetSizeLimitBeforeDecoding) {
  ImageFolderOptions options;
  options.limits.max_dataset_bytes = 2 * 16 - 1;
  const std::vector<FileEntry> files = {png("a/1.png", 4, 4, {1}), png("b/1.png", 4, 4, {2})};
  EXPECT_ERROR_WITH(decode_image_folder(files, options), "limit of 31");
}

}  // namespace
}  // namespace distillery
