// Drawing batches (uint8 -> float with the model's preprocessing), and the
// whole-dataset operations conform_dataset and subset.
#include "engine/data/batch.h"

#include <gtest/gtest.h>

#include "engine/data/test_util.h"

namespace distillery {
namespace {

// Three 2x2 gray images whose pixels are their index * 10 + position.
Dataset small_gray() {
  Dataset data;
  data.height = 2;
  data.width = 2;
  data.channels = 1;
  for (int i = 0; i < 3; ++i)
    for (int p = 0; p < 4; ++p) data.pixels.push_back(uint8_t(i * 10 + p));
  data.labels = {0, 1, 1};
  data.class_names = {"a", "b"};
  return data;
}

TEST(GatherBatchTest, AppliesScaleMeanAndStd) {
  const Dataset data = small_gray();
  const int indices[2] = {2, 0};
  Preprocessing pre;
  pre.scale = 0.5f;
  pre.mean = 1.0f;
  pre.std = 2.0f;
  Tensor batch;
  gather_batch(data, indices, 2, pre, batch);
  EXPECT_EQ(batch.shape(), (Shape{2, 2, 2, 1}));
  for (int p = 0; p < 4; ++p) {
    EXPECT_FLOAT_EQ(batch[p], ((20 + p) * 0.5f - 1.0f) / 2.0f);
    EXPECT_FLOAT_EQ(batch[4 + p], (p * 0.5f - 1.0f) / 2.0f);
  }
  // The default maps 0..255 to 0..1.
  const int last[1] = {2};
  gather_batch(data, last, 1, Preprocessing{}, batch);
  EXPECT_EQ(batch.shape(), (Shape{1, 2, 2, 1}));
  EXPECT_FLOAT_EQ(batch[3], 23.0f / 255.0f);
}

TEST(GatherBatchTest, GathersLabels) {
  const int indices[3] = {1, 0, 2};
  std::vector<int> labels;
  gather_labels(small_gray(), indices, 3, labels);
  EXPECT_EQ(labels, (std::vector<int>{1, 0, 1}));
}

TEST(ConformDatasetTest, GrayToRgbAndResized) {
  const Dataset rgb = conform_dataset(small_gray(), Shape{4, 4, 3});
  EXPECT_EQ(rgb.sample_shape(), (Shape{4, 4, 3}));
  EXPECT_EQ(rgb.labels, small_gray().labels);
  EXPECT_EQ(rgb.class_names, small_gray().class_names);
  ASSERT_EQ(rgb.pixels.size(), 3u * 16 * 3);
  // Each pixel's three channels are equal, and upsampling keeps values within the source range.
  for (int i = 0; i < 3; ++i) {
    const uint8_t* image = rgb.image(i);
    for (int p = 0; p < 16; ++p) {
      EXPECT_EQ(image[3 * p], image[3 * p + 1]);
      EXPECT_EQ(image[3 * p], image[3 * p + 2]);
      EXPECT_GE(image[3 * p], i * 10 - 1);
      EXPECT_LE(image[3 * p], i * 10 + 4);
    }
  }
}

TEST(ConformDatasetTest, RgbToGrayUsesLumaWeights) {
  Dataset data;
  data.height = data.width = 1;
  data.channels = 3;
  data.pixels = {255, 0, 0, 0, 0, 255};
  data.labels = {0, 1};
  data.class_names = {"red", "blue"};
  const Dataset gray = conform_dataset(data, Shape{1, 1, 1});
  EXPECT_EQ(gray.pixels, (std::vector<uint8_t>{76, 28}));
}

TEST(ConformDatasetTest, RejectsNonImageTargets) {
  EXPECT_ERROR_WITH(conform_dataset(small_gray(), Shape{784}), "[784]");
  EXPECT_ERROR_WITH(conform_dataset(small_gray(), Shape{2, 2, 2}), "[2, 2, 2]");
}

TEST(SubsetTest, KeepsTheChosenSamplesInOrder) {
  const Dataset part = subset(small_gray(), {2, 2, 0});
  EXPECT_EQ(part.size(), 3);
  EXPECT_EQ(part.labels, (std::vector<int>{1, 1, 0}));
  EXPECT_EQ(part.image(0)[3], 23);
  EXPECT_EQ(part.image(1)[0], 20);
  EXPECT_EQ(part.image(2)[1], 1);
  EXPECT_EQ(part.class_names, small_gray().class_names);
  EXPECT_EQ(subset(small_gray(), {}).size(), 0);
}

}  // namespace
}  // namespace distillery
