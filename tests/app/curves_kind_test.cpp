// Training curves carry the kind of the job that drew them, and the Teacher
// and Prune panels route on it (not on the chart's title): set by the jobs,
// kept by saved sessions, and read from the title for sessions saved before.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "app/app.h"
#include "app/app_api.h"
#include "app_test_data.h"

namespace distillery {
namespace {

using testing::run_job;
using testing::Saved;
using testing::Studio;

TEST(CurvesKind, EachTrainingJobMarksItsCurvesAndASavedSessionKeepsTheMark) {
  Studio studio;
  EXPECT_FALSE(studio.app.session.curves.kind.has_value());
  studio.load_and_train_teacher();
  EXPECT_EQ(studio.app.session.curves.kind, JobKind::kTrainTeacher);

  Saved saved = studio.save();
  nlohmann::json snapshot = nlohmann::json::parse(saved.snapshot);
  EXPECT_EQ(snapshot["curves"]["kind"], "trainTeacher");
  // A retitled chart is still the teacher's: the title is words, the kind routes.
  snapshot["curves"]["title"] = "Teacher (renamed)";
  saved.snapshot = snapshot.dump();
  Studio after;
  ASSERT_TRUE(after.restore(saved)["ok"]);
  EXPECT_EQ(after.app.session.curves.kind, JobKind::kTrainTeacher);

  ASSERT_TRUE(run_job(studio.app, studio.api, "prune",
                      {{"method", "global"}, {"sparsity", 0.5}, {"finetuneEpochs", 1}, {"useTeacher", false}})["value"]["ok"]);
  EXPECT_EQ(studio.app.session.curves.kind, JobKind::kPrune);
}

std::string fixture_text(const std::string& name) {
  std::ifstream f(std::string(DISTILLERY_SOURCE_DIR) + "/tests/fixtures/sessions/" + name, std::ios::binary);
  EXPECT_TRUE(f) << name;
  return std::string((std::istreambuf_iterator<char>(f)), {});
}

TEST(CurvesKind, ASessionSavedBeforeCurvesHadAKindReadsItFromTheTitle) {
  Saved saved;
  saved.snapshot = fixture_text("finished.session.json");
  const std::string dataset = fixture_text("finished.dataset.bin");
  saved.dataset.assign(dataset.begin(), dataset.end());
  ASSERT_FALSE(nlohmann::json::parse(saved.snapshot)["curves"].contains("kind"));  // written by main at 1202360
  Studio studio;
  const nlohmann::json restored = studio.restore(saved);
  ASSERT_TRUE(restored["ok"]) << restored.dump();
  EXPECT_EQ(studio.app.session.curves.title, "Pruning student");
  EXPECT_EQ(studio.app.session.curves.kind, JobKind::kPrune);
  EXPECT_EQ(studio.app.prune_panel.options.criterion, NormCriterion::l2);  // saved before the app had one
}

}  // namespace
}  // namespace distillery
