// Loading datasets from disk (src/native/dataset_files): Debian's
// Fashion-MNIST IDX files, image folders and CSV files written to a temporary
// folder, and the messages for paths that do not work.
#include "native/dataset_files.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include <unistd.h>

#include "engine/core/error.h"
#include "engine/data/idx.h"

// PNG encoding for the test images; static so it cannot clash with another test file.
#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STB_IMAGE_WRITE_STATIC
#define STBI_WRITE_NO_STDIO
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#endif
#include <stb/stb_image_write.h>
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

namespace distillery {
namespace {

namespace fs = std::filesystem;

const std::string kFashionDir = "/usr/share/datasets/fashion-mnist";
const std::string kFashionTestImages = kFashionDir + "/t10k-images-idx3-ubyte.gz";
const std::string kFashionTestLabels = kFashionDir + "/t10k-labels-idx1-ubyte.gz";

// A fresh folder under the system temp folder, removed with the fixture.
class DatasetFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static int counter = 0;
    dir_ = fs::temp_directory_path() /
           ("distillery-data-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path(const std::string& relative) const { return (dir_ / relative).string(); }

  void write(const std::string& relative, const std::string& bytes) const {
    fs::create_directories((dir_ / relative).parent_path());
    std::ofstream(dir_ / relative, std::ios::binary) << bytes;
  }

  // A one-colour gray PNG.
  void write_png(const std::string& relative, int size, uint8_t value) const {
    std::vector<uint8_t> pixels(size_t(size * size), value);
    std::string bytes;
    stbi_write_png_to_func(
        [](void* context, void* data, int n) { static_cast<std::string*>(context)->append(static_cast<char*>(data), n); },
        &bytes, size, size, 1, pixels.data(), size);
    write(relative, bytes);
  }

  fs::path dir_;
};

std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST_F(DatasetFilesTest, LoadsFashionMnistTestSetWithLabelsFoundBeside) {
  const Dataset data = load_dataset_from_path(kFashionTestImages);
  EXPECT_EQ(data.size(), 10000);
  EXPECT_EQ(data.sample_shape(), (Shape{28, 28, 1}));
  EXPECT_EQ(data.class_names, fashion_mnist_class_names());
  EXPECT_EQ(data.class_counts(), std::vector<int>(10, 1000));  // the test set is balanced
  // Not a blank decode: real images have a spread of gray levels.
  int64_t sum = 0;
  for (uint8_t p : data.pixels) sum += p;
  const double mean = double(sum) / double(data.pixels.size());
  EXPECT_GT(mean, 40.0);
  EXPECT_LT(mean, 110.0);
}

TEST_F(DatasetFilesTest, LoadsIdxWithExplicitLabelsAndGenericNamesOutsideAFashionPath) {
  fs::copy_file(kFashionTestImages, path("imgs.gz"));
  fs::copy_file(kFashionTestLabels, path("lbls.gz"));
  const Dataset data = load_dataset_from_path(path("imgs.gz"), path("lbls.gz"));
  EXPECT_EQ(data.size(), 10000);
  EXPECT_EQ(data.class_names.front(), "0");
  EXPECT_EQ(data.class_names.back(), "9");
  const Dataset fashion = load_dataset_from_path(kFashionTestImages, kFashionTestLabels);
  EXPECT_EQ(data.labels, fashion.labels);
  EXPECT_EQ(data.pixels, fashion.pixels);
}

TEST_F(DatasetFilesTest, LoadsAFolderOfClassFolders) {
  write_png("pets/cat/1.png", 5, 10);
  write_png("pets/cat/2.png", 5, 20);
  write_png("pets/dog/puppies/1.png", 5, 30);
  write("pets/dog/.DS_Store", "finder");
  write("pets/.hidden/x.png", "not even an image");
  write("pets/notes.txt", "hello");
  const Dataset data = load_dataset_from_path(path("pets"));
  EXPECT_EQ(data.class_names, (std::vector<std::string>{"cat", "dog"}));
  EXPECT_EQ(data.labels, (std::vector<int>{0, 0, 1}));
  EXPECT_EQ(data.sample_shape(), (Shape{5, 5, 1}));
  EXPECT_EQ(data.image(2)[0], 30);

  DatasetOptions options;
  options.height = 8;
  options.width = 8;
  options.channels = 3;
  EXPECT_EQ(load_dataset_from_path(path("pets"), "", options).sample_shape(), (Shape{8, 8, 3}));
}

TEST_F(DatasetFilesTest, ReadsFolderEntriesWithRelativeSortedPaths) {
  write("b/2.txt", "two");
  write("a/1.txt", "one");
  write(".git/config", "hidden");
  const std::vector<FileEntry> entries = read_folder_entries(dir_.string());
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].path, "a/1.txt");
  EXPECT_EQ(entries[1].path, "b/2.txt");
  EXPECT_EQ(std::string(entries[1].bytes.begin(), entries[1].bytes.end()), "two");
}

TEST_F(DatasetFilesTest, LoadsACsvFile) {
  write("shapes.csv", "label,p1,p2,p3,p4\r\nround,1,2,3,4\r\nsquare,5,6,7,8\r\n");
  const Dataset data = load_dataset_from_path(path("shapes.csv"));
  EXPECT_EQ(data.class_names, (std::vector<std::string>{"round", "square"}));
  EXPECT_EQ(data.pixels, (std::vector<uint8_t>{1, 2, 3, 4, 5, 6, 7, 8}));
}

TEST_F(DatasetFilesTest, ReadsFilesAndNamesMissingOnes) {
  write("text.txt", "line 1\nline 2\n");
  EXPECT_EQ(read_text_file(path("text.txt")), "line 1\nline 2\n");
  EXPECT_EQ(read_file_bytes(path("text.txt")).size(), 14u);
  write("empty", "");
  EXPECT_TRUE(read_file_bytes(path("empty")).empty());
  EXPECT_EQ(error_of([&] { read_file_bytes(path("missing.bin")); }),
            "cannot open " + path("missing.bin") + ": No such file or directory");
  EXPECT_EQ(error_of([&] { read_text_file(dir_.string()); }), "cannot open " + dir_.string() + ": it is a directory");
  EXPECT_EQ(error_of([&] { load_dataset_from_path(path("nowhere")); }),
            "cannot open " + path("nowhere") + ": No such file or directory");
}

TEST_F(DatasetFilesTest, ExplainsBadDatasets) {
  write_png("cats/cat/1.png", 4, 1);
  write_png("cats/cat/2.png", 4, 2);
  const std::string one_class = error_of([&] { load_dataset_from_path(path("cats")); });
  EXPECT_NE(one_class.find(path("cats")), std::string::npos) << one_class;
  EXPECT_NE(one_class.find("only one class 'cat'"), std::string::npos) << one_class;

  write_png("broken/a/1.png", 4, 1);
  write("broken/b/1.png", "\x89PNG\r\n\x1a\n truncated");
  const std::string broken = error_of([&] { load_dataset_from_path(path("broken")); });
  EXPECT_NE(broken.find("b/1.png"), std::string::npos) << broken;

  fs::copy_file(kFashionTestImages, path("t10k-images-idx3-ubyte.gz"));
  const std::string no_labels = error_of([&] { load_dataset_from_path(path("t10k-images-idx3-ubyte.gz")); });
  EXPECT_NE(no_labels.find("t10k-labels-idx1-ubyte"), std::string::npos) << no_labels;

  fs::create_directories(path("empty"));
  EXPECT_NE(error_of([&] { load_dataset_from_path(path("empty")); }).find("empty"), std::string::npos);
}

TEST_F(DatasetFilesTest, LoadsUnlabeledImagesFromAFolder) {
  write_png("transfer/1.png", 6, 10);
  write_png("transfer/cat/2.png", 6, 20);
  write_png("transfer/deep/er/3.png", 6, 30);
  write("transfer/.DS_Store", "finder");
  write("transfer/notes.txt", "hello");
  DatasetOptions options;
  options.height = 4;
  options.width = 4;
  options.channels = 3;
  const Dataset data = load_unlabeled_images_from_path(path("transfer"), options);
  EXPECT_EQ(data.size(), 3);
  EXPECT_EQ(data.labels, std::vector<int>(3, Dataset::kUnlabeled));
  EXPECT_TRUE(data.class_names.empty());
  EXPECT_EQ(data.sample_shape(), (Shape{4, 4, 3}));

  write("junk/notes.txt", "hello");
  const std::string junk = error_of([&] { load_unlabeled_images_from_path(path("junk")); });
  EXPECT_NE(junk.find(path("junk") + ": "), std::string::npos) << junk;
  EXPECT_NE(junk.find("no images found"), std::string::npos) << junk;
  EXPECT_EQ(error_of([&] { load_unlabeled_images_from_path(path("nowhere")); }),
            "cannot open " + path("nowhere") + ": No such file or directory");
}

TEST_F(DatasetFilesTest, LoadsALoneIdxImagesFileIgnoringTheLabelsBesideIt) {
  // Two 2x2 images; the labels file beside them is not even valid IDX, so reading it would fail.
  const std::string header("\0\0\x08\x03\0\0\0\x02\0\0\0\x02\0\0\0\x02", 16);
  write("train-images-idx3-ubyte", header + "\x01\x02\x03\x04\x05\x06\x07\x08");
  write("train-labels-idx1-ubyte", "not labels");
  const Dataset data = load_unlabeled_images_from_path(path("train-images-idx3-ubyte"));
  EXPECT_EQ(data.size(), 2);
  EXPECT_EQ(data.labels, std::vector<int>(2, Dataset::kUnlabeled));
  EXPECT_TRUE(data.class_names.empty());
  EXPECT_EQ(data.pixels, (std::vector<uint8_t>{1, 2, 3, 4, 5, 6, 7, 8}));
  // The labelled loader does look beside it, and says so.
  EXPECT_NE(error_of([&] { load_dataset_from_path(path("train-images-idx3-ubyte")); }).find("train-labels-idx1-ubyte"),
            std::string::npos);

  // The real Fashion-MNIST test images, gzipped, with their labels beside them.
  const Dataset fashion = load_unlabeled_images_from_path(kFashionTestImages);
  EXPECT_EQ(fashion.size(), 10000);
  EXPECT_EQ(fashion.sample_shape(), (Shape{28, 28, 1}));
  EXPECT_EQ(fashion.labels, std::vector<int>(10000, Dataset::kUnlabeled));
  EXPECT_TRUE(fashion.class_names.empty());

  write("t10k-images-idx3-ubyte", header + "\x01\x02");  // truncated
  const std::string truncated = error_of([&] { load_unlabeled_images_from_path(path("t10k-images-idx3-ubyte")); });
  EXPECT_NE(truncated.find(path("t10k-images-idx3-ubyte")), std::string::npos) << truncated;
  EXPECT_NE(truncated.find("truncated"), std::string::npos) << truncated;
}

}  // namespace
}  // namespace distillery
