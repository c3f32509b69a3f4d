// Distillation with the built-in baseline (jobs/baseline_job.h), driven
// through the JS API in both worker modes: one job trains the distilled
// student and then the same student alone; the result carries
// baseline_accuracy and gain = accuracy - baseline_accuracy, and the run
// alone is bit for bit the student `distill({loss: 'ce'})` trains with the
// same options.
#include <gtest/gtest.h>

#include <cstring>

#include "app/app.h"
#include "app/app_api.h"
#include "app_test_data.h"
#include "engine/train/baseline_record.h"
#include "engine/io/model_json.h"

namespace distillery {
namespace {

using testing::band_dataset_files;
using testing::run_job;

using testing::runtime;

using testing::same_bits;

const nlohmann::json kStudent = {{"arch", "dense:8"}, {"epochs", 3}, {"batch", 32}, {"lr", 0.01}, {"seed", 3},
                                 {"augment", "shift:1,mixup:0.2"}, {"schedule", "cosine"}, {"warmupEpochs", 1}};

class Baseline : public ::testing::TestWithParam<bool> {
 protected:
  Baseline() : app(runtime(GetParam()), platform), api(app) {}
  void SetUp() override {
    for (auto& f : band_dataset_files(240)) api.stage_file(f.path, f.bytes);
    ASSERT_TRUE(run_job(app, api, "loadDataset")["value"]["ok"]);
    ASSERT_TRUE(run_job(app, api, "trainTeacher", {{"arch", "dense:16"}, {"epochs", 2}, {"lr", 0.01}})["value"]["ok"]);
  }
  nlohmann::json distill(nlohmann::json extra) {
    nlohmann::json options = kStudent;
    options.update(extra);
    return run_job(app, api, "distill", options);
  }
  NullPlatform platform;
  App app;
  AppApi api;
};

TEST_P(Baseline, OneJobReportsTheGainOverTheSameStudentAlone) {
  const nlohmann::json done = distill({{"baseline", true}, {"loss", "kd"}, {"temperature", 3}});
  ASSERT_TRUE(done["value"]["ok"]) << done.dump();
  const nlohmann::json& r = done["value"]["result"];
  ASSERT_TRUE(r.contains("baseline_accuracy")) << r.dump();
  ASSERT_TRUE(r["gain"].is_number());
  EXPECT_DOUBLE_EQ(r["gain"].get<double>(), r["accuracy"].get<double>() - r["baseline_accuracy"].get<double>());
  EXPECT_TRUE(r["kl_to_teacher"].is_number());
  EXPECT_GE(r["kl_to_teacher"].get<double>(), 0.0);
  EXPECT_EQ(r["epochs"], 3);

  // The session: the distilled student, both runs' curves and the verdict line.
  const Session& s = app.session;
  ASSERT_TRUE(s.student && s.baseline_student && s.comparison);
  EXPECT_EQ(s.student_recipe.method, StudentMethod::kDistilled);
  EXPECT_EQ(s.curves.epochs.size(), 3u);
  EXPECT_EQ(s.baseline_curves.epochs.size(), 3u);
  EXPECT_EQ(s.baseline_curves.batch_loss.size(), s.curves.batch_loss.size());
  EXPECT_EQ(s.comparison->line(), r["comparison"].get<std::string>());
  EXPECT_NE(s.comparison->line().find(" points, same seed and schedule)"), std::string::npos);
  const nlohmann::json status = api.call_json("status", {})["value"];
  EXPECT_EQ(status["comparison"]["line"], s.comparison->line());
  EXPECT_DOUBLE_EQ(status["comparison"]["gain"].get<double>(), r["gain"].get<double>());

  // Provenance of the distilled student says how it was made and what it gained.
  const nlohmann::json& p = s.student->provenance;
  EXPECT_EQ(p["augment"], "shift:1,mixup:0.2");
  EXPECT_EQ(p["teacher_mode"], "consistent");
  EXPECT_EQ(p["loss"], "kd");
  EXPECT_EQ(p["warmup_epochs"], 1);
  EXPECT_EQ(p["unlabeled_images"], 0);
  EXPECT_DOUBLE_EQ(baseline_record_from_json(p["baseline"]).accuracy, r["baseline_accuracy"].get<double>());
  EXPECT_DOUBLE_EQ(p["baseline"]["gain"].get<double>(), r["gain"].get<double>());

  // The run alone is exactly what training the same student alone gives.
  const std::vector<float> baseline_weights = s.baseline_student->params().values;
  const std::vector<float> distilled_weights = s.student->params().values;
  const nlohmann::json alone = distill({{"loss", "ce"}});
  ASSERT_TRUE(alone["value"]["ok"]) << alone.dump();
  EXPECT_TRUE(same_bits(app.session.student->params().values, baseline_weights));
  EXPECT_FALSE(same_bits(distilled_weights, baseline_weights));  // the teacher changed something
  EXPECT_DOUBLE_EQ(alone["value"]["result"]["accuracy"].get<double>(), r["baseline_accuracy"].get<double>());
  EXPECT_FALSE(app.session.comparison) << "a new student forgets the old comparison";
}

TEST_P(Baseline, DkdInCachedModeRecordsItsWeights) {
  const nlohmann::json done = distill({{"baseline", true}, {"loss", "dkd"}, {"teacherMode", "cached"},
                                       {"dkdTargetWeight", 1.5}, {"dkdNontargetWeight", 4}});
  ASSERT_TRUE(done["value"]["ok"]) << done.dump();
  const nlohmann::json& p = app.session.student->provenance;
  EXPECT_EQ(p["loss"], "dkd");
  EXPECT_EQ(p["teacher_mode"], "cached");
  EXPECT_DOUBLE_EQ(p["dkd_target_weight"].get<double>(), 1.5);
  EXPECT_DOUBLE_EQ(p["dkd_nontarget_weight"].get<double>(), 4);
  EXPECT_TRUE(done["value"]["result"]["gain"].is_number());
  // The panel shows what the script ran.
  EXPECT_EQ(app.distil_panel.options.loss, LossKind::kDecoupled);
  EXPECT_TRUE(app.distil_panel.options.baseline);
}

TEST_P(Baseline, StoppedDuringTheDistillationKeepsTheStudentWithoutAVerdict) {
  nlohmann::json options = kStudent;
  options["baseline"] = true;
  // Far more than a frame's time slice can finish: the stop lands while it distils.
  options["epochs"] = 1000;
  const nlohmann::json started = api.call_json("distill", options);
  ASSERT_TRUE(started["ok"]) << started.dump();
  const int job = started["value"]["job"].get<int>();
  // Let it train a little, then stop (the run alone never begins).
  for (int i = 0; i < 200000; ++i) {
    app.update();
    const auto progress = app.worker.progress();
    if (progress && progress->curves.batch_loss.size() >= 3) break;
  }
  api.call_json("stop", {});
  nlohmann::json status;
  for (;;) {
    app.update();
    status = api.call_json("jobStatus", {{"job", job}});
    if (status["value"]["done"]) break;
  }
  ASSERT_TRUE(status["value"]["ok"]) << status.dump();
  EXPECT_FALSE(status["value"]["result"].contains("gain"));
  EXPECT_TRUE(status["value"]["result"].contains("baseline_skipped"));
  EXPECT_TRUE(app.session.student);
  EXPECT_FALSE(app.session.comparison);
}

INSTANTIATE_TEST_SUITE_P(WorkerModes, Baseline, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "threaded" : "time_sliced"; });

}  // namespace
}  // namespace distillery
