// Unlabeled images (loadUnlabeled / clearUnlabeled, unlabeled_set.h): they are
// brought to the dataset's image shape or refused with one clear error that
// keeps the earlier set; distillation appends them to its training split;
// training alone leaves them out with a note.
#include <gtest/gtest.h>

#include "app/app.h"
#include "app/app_api.h"
#include "app/unlabeled_set.h"
#include "app_test_data.h"
#include "engine/core/error.h"

namespace distillery {
namespace {

using testing::band_dataset_files;
using testing::run_job;

// An IDX images file (no labels) of `count` gray images, rows x cols.
FileEntry idx_images(int count, int rows, int cols, const std::string& name = "extra-images-idx3-ubyte") {
  std::vector<uint8_t> b;
  auto u32 = [&](uint32_t v) {
    for (int i = 3; i >= 0; --i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
  };
  u32(0x803);
  u32(static_cast<uint32_t>(count));
  u32(static_cast<uint32_t>(rows));
  u32(static_cast<uint32_t>(cols));
  for (int i = 0; i < count * rows * cols; ++i) b.push_back(static_cast<uint8_t>((i * 37) % 251));
  return {name, b};
}

struct Studio : ::testing::Test {
  Studio() : app(detect_runtime(), platform), api(app) {}
  void SetUp() override {
    for (auto& f : band_dataset_files(240)) api.stage_file(f.path, f.bytes);
    ASSERT_TRUE(run_job(app, api, "loadDataset")["value"]["ok"]);
  }
  nlohmann::json load_unlabeled(const std::vector<FileEntry>& files) {
    for (const auto& f : files) api.stage_file(f.path, f.bytes);
    return run_job(app, api, "loadUnlabeled");
  }
  NullPlatform platform;
  App app;
  AppApi api;
};

TEST_F(Studio, LoadsConformsAndRemovesTheSet) {
  nlohmann::json r = load_unlabeled({idx_images(40, 12, 12)});
  ASSERT_TRUE(r["value"]["ok"]) << r.dump();
  EXPECT_EQ(r["value"]["result"]["count"], 40);
  EXPECT_FALSE(r["value"]["result"].contains("converted"));
  ASSERT_TRUE(app.session.unlabeled);
  for (int label : app.session.unlabeled->labels) EXPECT_EQ(label, Dataset::kUnlabeled);
  EXPECT_EQ(api.call_json("status", {})["value"]["unlabeled"]["count"], 40);

  // Another size with the same aspect ratio is resized to the dataset's 12 x 12.
  r = load_unlabeled({idx_images(25, 24, 24)});
  ASSERT_TRUE(r["value"]["ok"]) << r.dump();
  EXPECT_EQ(r["value"]["result"]["count"], 25);
  EXPECT_NE(r["value"]["result"]["converted"].get<std::string>().find("[12, 12, 1]"), std::string::npos)
      << r["value"]["result"]["converted"];
  EXPECT_EQ(app.session.unlabeled->sample_shape(), app.session.dataset->sample_shape());

  // A labelled CSV works too: its labels are dropped.
  r = load_unlabeled(band_dataset_files(30, 3, 12, 99));
  ASSERT_TRUE(r["value"]["ok"]) << r.dump();
  EXPECT_EQ(app.session.unlabeled->size(), 30);

  const nlohmann::json removed = api.call_json("clearUnlabeled", {});
  EXPECT_EQ(removed["value"]["removed"], 30);
  EXPECT_FALSE(app.session.unlabeled);
  EXPECT_TRUE(api.call_json("status", {})["value"]["unlabeled"].is_null());
}

TEST_F(Studio, AWrongShapeOrAnEmptySetIsOneErrorAndKeepsTheEarlierSet) {
  ASSERT_TRUE(load_unlabeled({idx_images(40, 12, 12)})["value"]["ok"]);
  const int version = app.session.unlabeled_version;

  nlohmann::json r = load_unlabeled({idx_images(10, 12, 30)});
  ASSERT_FALSE(r["value"]["ok"]) << r.dump();
  EXPECT_NE(r["value"]["error"].get<std::string>().find("30 x 12 images cannot be brought to the dataset's 12 x 12"),
            std::string::npos)
      << r["value"]["error"];
  EXPECT_EQ(app.session.unlabeled->size(), 40);
  EXPECT_EQ(app.session.unlabeled_version, version);

  r = load_unlabeled({idx_images(0, 12, 12)});
  ASSERT_FALSE(r["value"]["ok"]);
  EXPECT_NE(r["value"]["error"].get<std::string>().find("extra-images-idx3-ubyte"), std::string::npos)
      << r["value"]["error"];
  EXPECT_EQ(app.session.unlabeled->size(), 40);

  r = api.call_json("loadUnlabeled", {});  // no files
  EXPECT_FALSE(r["ok"]);
  EXPECT_EQ(app.session.unlabeled->size(), 40);
}

TEST_F(Studio, NeedsADatasetFirstAndGoesWhenTheShapeChanges) {
  NullPlatform other_platform;
  App empty(detect_runtime(), other_platform);
  AppApi other(empty);
  const FileEntry f = idx_images(5, 12, 12);
  other.stage_file(f.path, f.bytes);
  const nlohmann::json r = other.call_json("loadUnlabeled", {});
  ASSERT_FALSE(r["ok"]);
  EXPECT_NE(r["error"].get<std::string>().find("no dataset is loaded"), std::string::npos);

  ASSERT_TRUE(load_unlabeled({idx_images(40, 12, 12)})["value"]["ok"]);
  for (auto& file : band_dataset_files(90, 3, 16)) api.stage_file(file.path, file.bytes);
  ASSERT_TRUE(run_job(app, api, "loadDataset")["value"]["ok"]);
  EXPECT_FALSE(app.session.unlabeled) << "16 x 16 data: the 12 x 12 unlabeled set no longer fits";
}

TEST_F(Studio, DistillationLearnsFromThemAndTrainingAloneLeavesThemOut) {
  ASSERT_TRUE(run_job(app, api, "trainTeacher", {{"arch", "dense:16"}, {"epochs", 3}, {"lr", 0.01}})["value"]["ok"]);
  // Unlabeled images from the same distribution as the labelled ones.
  ASSERT_TRUE(load_unlabeled(band_dataset_files(120, 3, 12, 123))["value"]["ok"]);
  const int labelled_train = static_cast<int>(app.session.split.train.size());
  const nlohmann::json options = {{"arch", "dense:8"}, {"epochs", 3}, {"batch", 32}, {"lr", 0.01}, {"seed", 2}};

  nlohmann::json r = run_job(app, api, "distill", options);
  ASSERT_TRUE(r["value"]["ok"]) << r.dump();
  EXPECT_EQ(r["value"]["result"]["unlabeled"], 120);
  EXPECT_GE(r["value"]["result"]["accuracy"].get<double>(), 0.8);
  EXPECT_EQ(app.session.student->provenance["unlabeled_images"], 120);
  // More samples per epoch than the labelled split alone: the unlabeled images were trained on.
  const int batches = static_cast<int>(app.session.curves.batch_loss.size()) / 3;
  EXPECT_EQ(batches, (labelled_train + 120 + 31) / 32);
  EXPECT_EQ(app.session.dataset->size(), 240) << "the session's dataset itself is unchanged";

  r = run_job(app, api, "distill", {{"arch", "dense:8"}, {"epochs", 1}, {"loss", "ce"}});
  ASSERT_TRUE(r["value"]["ok"]) << r.dump();
  EXPECT_EQ(r["value"]["result"]["unlabeled"], 0);
  EXPECT_NE(r["value"]["result"]["note"].get<std::string>().find("120 unlabeled images were not used"),
            std::string::npos);
  EXPECT_EQ(app.session.curves.batch_loss.size(), static_cast<size_t>((labelled_train + 63) / 64));
}

TEST(UnlabeledSet, AppendKeepsTheLabelledIndices) {
  Dataset a;
  a.height = a.width = 2;
  a.channels = 1;
  a.class_names = {"x", "y"};
  a.labels = {0, 1};
  a.pixels = {1, 1, 1, 1, 2, 2, 2, 2};
  Dataset u = a;
  u.labels = {Dataset::kUnlabeled};
  u.pixels = {9, 9, 9, 9};
  const Dataset joined = append_unlabeled(a, u);
  EXPECT_EQ(joined.size(), 3);
  EXPECT_EQ(joined.labels[1], 1);
  EXPECT_EQ(joined.labels[2], Dataset::kUnlabeled);
  EXPECT_EQ(joined.image(2)[0], 9);
  EXPECT_EQ(with_appended_indices({0, 1}, 2, 3), (std::vector<int>{0, 1, 2, 3, 4}));
  u.width = 4;
  u.pixels.resize(8);
  EXPECT_THROW(append_unlabeled(a, u), Error);
}

}  // namespace
}  // namespace distillery
