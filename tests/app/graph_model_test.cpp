// Graph models through the app, the way a user makes them: a residual teacher
// typed as an arch spec and trained by the JS API, a residual student
// distilled from it, the session saved and restored with both graphs intact,
// and the student exported as a functional TF.js model.
#include <gtest/gtest.h>

#include "app/app.h"
#include "app/app_api.h"
#include "app_test_data.h"
#include "engine/io/model_json.h"
#include "engine/model/arch_spec.h"

namespace distillery {
namespace {

using testing::band_dataset_files;
using testing::run_job;
using testing::Saved;
using testing::Studio;
using testing::same_bits;

TEST(GraphModelsInTheApp, AResidualTeacherAndStudentTrainDistilAndSurviveAReload) {
  Studio before;
  for (auto& f : band_dataset_files(240)) before.api.stage_file(f.path, f.bytes);
  ASSERT_TRUE(run_job(before.app, before.api, "loadDataset")["value"]["ok"]);
  const nlohmann::json trained = run_job(before.app, before.api, "trainTeacher",
                                         {{"arch", "conv:6:3,res:6,res:8:2,gap"}, {"epochs", 2}, {"lr", 0.01}, {"seed", 5}});
  ASSERT_TRUE(trained["value"]["ok"]) << trained.dump();
  const Model& teacher = *before.app.session.teacher;
  EXPECT_FALSE(teacher.is_chain());
  EXPECT_EQ(describe_arch(teacher), "conv:6:3,res:6,res:8:2,gap");

  const nlohmann::json distilled = run_job(before.app, before.api, "distill",
                                           {{"arch", "conv:4:3,res:4,gap"}, {"epochs", 2}, {"lr", 0.01}, {"seed", 2}});
  ASSERT_TRUE(distilled["value"]["ok"]) << distilled.dump();
  ASSERT_NE(before.app.session.student, nullptr);
  EXPECT_FALSE(before.app.session.student->is_chain());
  EXPECT_GT(distilled["value"]["result"]["accuracy"].get<double>(), 0.0);

  const Saved saved = before.save();
  Studio after;
  const nlohmann::json restored = after.restore(saved);
  ASSERT_TRUE(restored["ok"]) << restored.dump();
  ASSERT_NE(after.app.session.teacher, nullptr);
  ASSERT_NE(after.app.session.student, nullptr);
  EXPECT_EQ(after.app.session.teacher->graph().inputs, teacher.graph().inputs);
  EXPECT_TRUE(same_bits(after.app.session.student->params().values, before.app.session.student->params().values));
  EXPECT_EQ(describe_arch(*after.app.session.student), "conv:4:3,res:4,gap");

  // The student leaves as a functional TF.js model (tests/tfjs loads such files in the real TF.js).
  const nlohmann::json exported = after.api.call_json("exportTfjs", {{"zip", false}});
  ASSERT_TRUE(exported["ok"]) << exported.dump();
  const std::string text = after.api.call_json("exportStudent", {})["value"]["text"];
  EXPECT_EQ(nlohmann::json::parse(text)["version"], kGraphModelFormatVersion);
}

}  // namespace
}  // namespace distillery
