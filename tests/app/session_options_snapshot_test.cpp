// Saved sessions keep the distillation options added with augmentation,
// teacher modes, dkd, warm-up and baselines (and the last baseline verdict);
// a snapshot written before those options existed still restores, with the
// defaults; a distillation with a baseline resumed after a reload still ends
// with its verdict.
#include <gtest/gtest.h>

#include <cstring>

#include "app/app.h"
#include "app/app_api.h"
#include "app_test_data.h"
#include "engine/io/model_json.h"

namespace distillery {
namespace {

using testing::band_dataset_files;
using testing::run_job;

using testing::Saved;
using testing::Studio;

const nlohmann::json kBaselineDistill = {{"arch", "dense:8"}, {"epochs", 4},         {"batch", 16},
                                         {"lr", 0.01},        {"seed", 3},           {"augment", "shift:1,flip"},
                                         {"loss", "dkd"},     {"teacherMode", "cached"}, {"dkdNontargetWeight", 5},
                                         {"warmupEpochs", 1}, {"baseline", true}};

TEST(SessionOptionsSnapshot, TheNewOptionsAndTheVerdictRoundTrip) {
  Studio before;
  before.load_and_train_teacher();
  before.app.teacher_panel.train.augment = parse_augment_spec("rotate:7");
  before.app.teacher_panel.train.warmup_epochs = 1;
  const nlohmann::json done = run_job(before.app, before.api, "distill", kBaselineDistill);
  ASSERT_TRUE(done["value"]["ok"]) << done.dump();
  const Saved saved = before.save();
  const nlohmann::json snapshot = nlohmann::json::parse(saved.snapshot);
  EXPECT_EQ(snapshot["settings"]["distill"]["augment"], "shift:1,flip");
  EXPECT_EQ(snapshot["settings"]["distill"]["loss"], "dkd");

  Studio after;
  const nlohmann::json restored = after.restore(saved);
  ASSERT_TRUE(restored["ok"]) << restored.dump();
  const DistillOptions& o = after.app.distil_panel.options;
  EXPECT_EQ(augment_spec_text(o.train.augment), "shift:1,flip");
  EXPECT_EQ(o.loss, LossKind::kDecoupled);
  EXPECT_EQ(o.teacher_mode, TeacherMode::kCached);
  EXPECT_FLOAT_EQ(o.dkd_nontarget_weight, 5);
  EXPECT_EQ(o.train.warmup_epochs, 1);
  EXPECT_TRUE(o.baseline);
  EXPECT_EQ(augment_spec_text(after.app.teacher_panel.train.augment), "rotate:7");
  EXPECT_EQ(after.app.teacher_panel.train.warmup_epochs, 1);
  ASSERT_TRUE(after.app.session.comparison);
  EXPECT_EQ(after.app.session.comparison->line(), before.app.session.comparison->line());
  EXPECT_EQ(after.app.session.baseline_curves.batch_loss.size(), before.app.session.baseline_curves.batch_loss.size());
  EXPECT_EQ(after.app.session.student->provenance["baseline"], before.app.session.student->provenance["baseline"]);
}

// A session as today's main wrote it before these options existed: no
// augment, teacherMode, dkd weights, warm-up or baseline in the settings, no
// baseline curves or comparison.
const char* kOldSnapshot = R"({"format":"distillery-session","version":1,
  "split":{"val_fraction":0.1,"test_fraction":0.2,"seed":1},
  "dataset":null,"teacher":null,"student":null,
  "curves":{"title":"Distilling student","batch_epoch":[0.5,1.0],"batch_loss":[1.2,0.9],"batch_accuracy":[0.4,0.6],
            "epochs":[[0,1,1.0,0.5,0.95,0.55,1.5,800.0]],"teacher_val_accuracy":0.9},
  "settings":{"teacher":{"arch":"dense:64","epochs":4,"batch":32,"lr":0.002,"optimizer":"adam","schedule":"cosine","seed":2},
              "teacherArch":"dense:64","studentArch":"dense:16",
              "distill":{"arch":"dense:16","epochs":6,"batch":32,"lr":0.005,"optimizer":"sgd","schedule":"constant",
                         "seed":9,"temperature":5,"alpha":0.3,"loss":"mse"},
              "prune":{"method":"global","sparsity":0.5,"schedule":"oneshot","rounds":3,"finetuneEpochs":1,
                       "useTeacher":true,"temperature":4,"alpha":0.1,"lr":0.0005,"batch":64,"seed":1},
              "panel":"Distil"},
  "training":null})";

TEST(SessionOptionsSnapshot, ASnapshotFromBeforeTheNewOptionsStillRestores) {
  Studio after;
  const nlohmann::json restored = after.restore({kOldSnapshot, {}, {}});
  ASSERT_TRUE(restored["ok"]) << restored.dump();
  const DistillOptions& o = after.app.distil_panel.options;
  EXPECT_EQ(o.loss, LossKind::kLogitMse);
  EXPECT_FLOAT_EQ(o.temperature, 5);
  EXPECT_EQ(o.train.epochs, 6);
  EXPECT_EQ(o.train.optimizer, OptimizerKind::kSgd);
  EXPECT_EQ(o.teacher_mode, TeacherMode::kConsistent);
  EXPECT_FALSE(o.train.augment.any());
  EXPECT_EQ(o.train.warmup_epochs, 0);
  EXPECT_FALSE(o.baseline);
  EXPECT_EQ(after.app.teacher_panel.train.epochs, 4);
  EXPECT_FALSE(after.app.teacher_panel.train.augment.any());
  EXPECT_EQ(after.app.session.curves.batch_loss.size(), 2u);
  EXPECT_TRUE(after.app.session.baseline_curves.batch_loss.empty());
  EXPECT_FALSE(after.app.session.comparison);
}

TEST(SessionOptionsSnapshot, ADistillationWithABaselineResumesAndStillEndsWithItsVerdict) {
  Studio reference;
  reference.load_and_train_teacher();
  const nlohmann::json straight = run_job(reference.app, reference.api, "distill", kBaselineDistill);
  ASSERT_TRUE(straight["value"]["ok"]) << straight.dump();

  Studio before;
  before.load_and_train_teacher();
  before.app.worker.set_slice_ms(0);  // one batch per update: the epoch boundary is seen
  const nlohmann::json started = before.api.call_json("distill", kBaselineDistill);
  ASSERT_TRUE(started["ok"]) << started.dump();
  for (int i = 0; i < 1000000 && !before.app.worker.resume_point(); ++i) before.app.update();
  ASSERT_TRUE(before.app.worker.resume_point());
  const Saved saved = before.save();
  before.api.call_json("stop", {});
  before.wait(started["value"]["job"]);

  Studio after(true);
  const nlohmann::json restored = after.restore(saved);
  ASSERT_TRUE(restored["ok"]) << restored.dump();
  ASSERT_TRUE(restored["value"]["job"].is_number()) << restored.dump();
  const nlohmann::json done = after.wait(restored["value"]["job"]);
  ASSERT_TRUE(done["value"]["ok"]) << done.dump();
  const nlohmann::json& r = done["value"]["result"];
  EXPECT_EQ(r["resumed_from_epoch"], 1);
  EXPECT_DOUBLE_EQ(r["accuracy"].get<double>(), straight["value"]["result"]["accuracy"].get<double>());
  EXPECT_DOUBLE_EQ(r["baseline_accuracy"].get<double>(), straight["value"]["result"]["baseline_accuracy"].get<double>());
  const std::vector<float>& a = after.app.session.student->params().values;
  const std::vector<float>& b = reference.app.session.student->params().values;
  ASSERT_EQ(a.size(), b.size());
  EXPECT_EQ(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)), 0);
}

}  // namespace
}  // namespace distillery
