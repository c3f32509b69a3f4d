// Saved sessions written by the app at commit 1202360 (tests/fixtures/sessions,
// see its README) still restore: the finished one evaluates to the figures it
// had then, and the pruning job saved mid-run resumes to the same bits as the
// run that was never interrupted. This is what a user's browser storage holds.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>

#include "app/app.h"
#include "app/app_api.h"
#include "app_test_data.h"
#include "engine/io/model_json.h"
#include "engine/prune/prune_pipeline.h"
#include "engine/train/baseline_record.h"

namespace distillery {
namespace {

std::vector<uint8_t> fixture_bytes(const std::string& name) {
  std::ifstream f(std::string(DISTILLERY_SOURCE_DIR) + "/tests/fixtures/sessions/" + name, std::ios::binary);
  EXPECT_TRUE(f) << name;
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), {});
}

nlohmann::json fixture_json(const std::string& name) {
  const std::vector<uint8_t> bytes = fixture_bytes(name);
  return nlohmann::json::parse(bytes.begin(), bytes.end());
}


struct Restored {
  explicit Restored(const std::string& stem) : app(testing::runtime(false), platform), api(app) {
    api.stage_file("session.json", fixture_bytes(stem + ".session.json"));
    api.stage_file("dataset.bin", fixture_bytes(stem + ".dataset.bin"));
    reply = api.call_json("restoreSession", {{"resume", true}});
  }
  NullPlatform platform;
  App app;
  AppApi api;
  nlohmann::json reply;
};

using testing::same_bits;

TEST(SavedSessionFixture, AFinishedSessionFromMainRestoresWithItsSettingsAndFigures) {
  Restored r("finished");
  ASSERT_TRUE(r.reply["ok"]) << r.reply.dump();
  EXPECT_TRUE(r.reply["value"]["job"].is_null());
  const nlohmann::json expected = fixture_json("finished.expected.json");

  // The settings as the panels had them, "gradual" included.
  const PruneOptions& prune = r.app.prune_panel.options;
  EXPECT_EQ(to_prune_settings(prune).to_json()["schedule"], "polynomial");
  EXPECT_FLOAT_EQ(prune.sparsity, 0.6f);
  EXPECT_EQ(prune.finetune_epochs, 1);
  const DistillOptions& distill = r.app.distil_panel.options;
  EXPECT_EQ(to_train_config(distill).optimizer.kind, OptimizerKind::kAdamW);
  EXPECT_EQ(to_train_config(distill).lr_schedule, LrSchedule::kCosine);
  EXPECT_TRUE(distill.baseline);
  EXPECT_EQ(to_train_config(r.app.teacher_panel.train).optimizer.kind, OptimizerKind::kSgd);

  // The student's provenance, the app's baseline shape included, as it was saved.
  const nlohmann::json student = nlohmann::json::parse(r.api.call_json("exportStudent", {})["value"]["text"].get<std::string>());
  EXPECT_EQ(student["provenance"], expected["student"]);
  // Its baseline record is the app's old shape ("alone_test_accuracy"), still read.
  const BaselineRecord baseline = baseline_record_from_json(student["provenance"]["baseline"]);
  EXPECT_EQ(baseline.accuracy, expected["student"]["baseline"]["alone_test_accuracy"].get<double>());
  EXPECT_EQ(baseline.gain, expected["student"]["baseline"]["gain"].get<double>());

  // The restored models evaluate to the very figures they had.
  const nlohmann::json done = testing::run_job(r.app, r.api, "evaluate");
  ASSERT_TRUE(done["value"]["ok"]) << done.dump();
  const nlohmann::json& now = done["value"]["result"];
  const nlohmann::json& then = expected["evaluate"];
  EXPECT_EQ(now["accuracy"], then["accuracy"]);
  EXPECT_EQ(now["confusion"], then["confusion"]);
  EXPECT_EQ(now["nonzero_params"], then["nonzero_params"]);
  EXPECT_EQ(now["teacher"]["accuracy"], then["teacher"]["accuracy"]);
}

TEST(SavedSessionFixture, APruningJobSavedMidRunByMainResumesToTheUninterruptedBits) {
  Restored r("pruning");
  ASSERT_TRUE(r.reply["ok"]) << r.reply.dump();
  EXPECT_EQ(r.reply["value"]["training"]["kind"], "prune");
  EXPECT_EQ(r.reply["value"]["training"]["epoch"], 1);
  nlohmann::json done;
  for (;;) {
    r.app.update();
    done = r.api.call_json("jobStatus", {{"job", r.reply["value"]["job"]}});
    if (!done["ok"] || done["value"]["done"]) break;
  }
  ASSERT_TRUE(done["value"]["ok"]) << done.dump();
  EXPECT_EQ(done["value"]["result"]["resumed_from_epoch"], 1);
  const Model resumed = load_model_json(r.api.call_json("exportStudent", {})["value"]["text"].get<std::string>());
  const Model straight = load_model_json(fixture_json("pruning.expected.json")["student"].dump());
  EXPECT_EQ(resumed.parameter_count(), straight.parameter_count());
  EXPECT_TRUE(same_bits(resumed.params().values, straight.params().values));
  EXPECT_TRUE(same_bits(resumed.params().masks, straight.params().masks));
}

}  // namespace
}  // namespace distillery
