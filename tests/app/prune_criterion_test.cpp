// The structured-pruning criterion through the JS API: taken by prune(),
// recorded in the student's provenance, kept by a saved session (and l2 for
// sessions saved before the app had it), and refused by its one name table.
#include <gtest/gtest.h>

#include "app/app.h"
#include "app/app_api.h"
#include "app_test_data.h"
#include "engine/io/model_json.h"

namespace distillery {
namespace {

using testing::run_job;
using testing::Saved;
using testing::Studio;

const nlohmann::json kStructured = {{"method", "structured"}, {"sparsity", 0.5}, {"finetuneEpochs", 0},
                                    {"useTeacher", false}};

std::string pruned_student_criterion(Studio& studio) {
  const Model student = load_model_json(studio.api.call_json("exportStudent", {})["value"]["text"]);
  return student.provenance["pruning"].value("criterion", std::string("(none)"));
}

TEST(PruneCriterion, TheJsApiTakesItAndTheStudentRecordsIt) {
  Studio studio;
  studio.load_and_train_teacher();
  nlohmann::json l1 = kStructured;
  l1["criterion"] = "l1";
  ASSERT_TRUE(run_job(studio.app, studio.api, "prune", l1)["value"]["ok"]);
  EXPECT_EQ(pruned_student_criterion(studio), "l1");
  EXPECT_EQ(studio.app.prune_panel.options.criterion, NormCriterion::l1);  // the panel shows what ran

  Studio by_default;
  by_default.load_and_train_teacher();
  ASSERT_TRUE(run_job(by_default.app, by_default.api, "prune", kStructured)["value"]["ok"]);
  EXPECT_EQ(pruned_student_criterion(by_default), "l2");
}

TEST(PruneCriterion, AnUnknownNameIsRefusedWithTheTablesWords) {
  Studio studio;
  nlohmann::json bad = kStructured;
  bad["criterion"] = "L1";
  const nlohmann::json reply = studio.api.call_json("prune", bad);
  EXPECT_FALSE(reply["ok"]);
  EXPECT_EQ(reply.value("error", std::string()), "prune: unknown structured-pruning criterion 'L1' (use l1 or l2)");
}

TEST(PruneCriterion, ASavedSessionKeepsItAndOlderSessionsReadL2) {
  Studio before;
  before.load_and_train_teacher();
  before.app.prune_panel.options.criterion = NormCriterion::l1;
  const Saved saved = before.save();
  nlohmann::json snapshot = nlohmann::json::parse(saved.snapshot);
  EXPECT_EQ(snapshot["settings"]["prune"]["criterion"], "l1");

  Studio after;
  ASSERT_TRUE(after.restore(saved)["ok"]);
  EXPECT_EQ(after.app.prune_panel.options.criterion, NormCriterion::l1);

  snapshot["settings"]["prune"].erase("criterion");  // as sessions saved before the criterion was a setting
  Saved older = saved;
  older.snapshot = snapshot.dump();
  Studio restored_older;
  restored_older.app.prune_panel.options.criterion = NormCriterion::l1;
  ASSERT_TRUE(restored_older.restore(older)["ok"]);
  EXPECT_EQ(restored_older.app.prune_panel.options.criterion, NormCriterion::l2);
}

}  // namespace
}  // namespace distillery
