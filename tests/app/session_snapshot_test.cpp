// Saved sessions (session_snapshot.h, session_api.h) driven through the JS
// API as the page drives them: a distillation is snapshotted after an epoch
// (models, settings, checkpoint, dataset bytes), a new App ("after the
// reload") restores it and the run continues to the same bits as a run that
// was never interrupted. Broken snapshots change nothing. Downloads are JSON
// that loads back bit-identically.
#include <gtest/gtest.h>

#include <cstring>
#include <functional>

#include "app/app.h"
#include "app/app_api.h"
#include "app/session_snapshot.h"
#include "app_test_data.h"
#include "engine/core/error.h"
#include "engine/io/model_json.h"
#include "engine/train/checkpoint.h"

namespace distillery {
namespace {

using testing::band_dataset_files;
using testing::run_job;

using testing::Saved;
using testing::Studio;
using testing::same_bits;

const nlohmann::json kDistill = {{"arch", "dense:8"}, {"temperature", 3}, {"alpha", 0.2}, {"epochs", 5},
                                 {"batch", 16},       {"lr", 0.01},       {"seed", 3},    {"optimizer", "adamw"},
                                 {"schedule", "cosine"}};

std::vector<float> weights_of(const std::string& model_json) { return load_model_json(model_json).params().values; }

// A job (distillation or pruning) in the sliced mode (the single-thread page:
// deterministic epoch boundaries), snapshotted when its resume point after
// epochs_done epochs appears.
Saved snapshot_mid_job(Studio& studio, const std::string& method, const nlohmann::json& options, int epochs_done) {
  studio.app.worker.set_slice_ms(0);  // one batch per update: every epoch boundary is seen
  nlohmann::json started = studio.api.call_json(method, options);
  EXPECT_TRUE(started["ok"]) << started.dump();
  const std::string no_checkpoint = ":c-:";
  for (int i = 0; i < 1000000; ++i) {
    const std::string revision = studio.api.call_json("sessionTick", {})["value"]["revision"];
    if (revision.find(no_checkpoint) == std::string::npos &&
        revision.find("/" + std::to_string(epochs_done) + ":") != std::string::npos)
      break;
  }
  Saved saved = studio.save();
  studio.api.call_json("stop", {});  // the page is gone
  studio.wait(started["value"]["job"]);
  return saved;
}

Saved snapshot_mid_distillation(Studio& studio, int epochs_done) {
  return snapshot_mid_job(studio, "distill", kDistill, epochs_done);
}

class SessionRestore : public ::testing::TestWithParam<bool> {};

TEST_P(SessionRestore, ADistillationResumedAfterAReloadEndsWithTheUninterruptedBits) {
  Studio reference(false);
  reference.load_and_train_teacher();
  ASSERT_TRUE(run_job(reference.app, reference.api, "distill", kDistill)["value"]["ok"]);
  const std::string straight = reference.api.call_json("exportStudent", {})["value"]["text"];

  for (int epochs_done : {1, 3}) {
    Studio before(false);
    before.load_and_train_teacher();
    const Saved saved = snapshot_mid_distillation(before, epochs_done);
    const nlohmann::json snapshot = nlohmann::json::parse(saved.snapshot);
    ASSERT_TRUE(snapshot["training"].is_object());
    EXPECT_EQ(snapshot["training"]["epochs_done"], epochs_done);
    EXPECT_TRUE(saved.info["dataset"]["stored"]);

    // The reloaded page: its own demo state first, then the restore (threaded or sliced).
    Studio after(GetParam());
    for (auto& f : band_dataset_files(90, 3, 10, 99)) after.api.stage_file(f.path, f.bytes);
    ASSERT_TRUE(run_job(after.app, after.api, "loadDataset")["value"]["ok"]);
    const nlohmann::json restored = after.restore(saved);
    ASSERT_TRUE(restored["ok"]) << restored.dump();
    EXPECT_EQ(restored["value"]["training"]["epoch"], epochs_done);
    EXPECT_EQ(restored["value"]["training"]["kind"], "distill");
    EXPECT_EQ(after.app.session.dataset->pixels, before.app.session.dataset->pixels);
    EXPECT_EQ(after.app.session.dataset->labels, before.app.session.dataset->labels);
    EXPECT_EQ(after.app.session.dataset_source, "bands.csv");
    EXPECT_TRUE(same_bits(after.app.session.teacher->params().values, before.app.session.teacher->params().values));
    EXPECT_EQ(after.app.distil_panel.options.train.epochs, 5);

    const nlohmann::json done = after.wait(restored["value"]["job"]);
    ASSERT_TRUE(done["value"]["ok"]) << done.dump();
    EXPECT_EQ(done["value"]["result"]["resumed_from_epoch"], epochs_done);
    EXPECT_EQ(done["value"]["result"]["epochs"], 5);  // the history holds every epoch, earlier ones from the checkpoint
    const std::string resumed = after.api.call_json("exportStudent", {})["value"]["text"];
    EXPECT_TRUE(same_bits(weights_of(resumed), weights_of(straight))) << "resumed after epoch " << epochs_done;
    EXPECT_EQ(after.app.session.curves.epochs.size(), 5u);
  }
}

// The snapshot with every saved weight of the running job scaled by 1.01 (the
// pruned model and the checkpoint): a job that truly continues from the saved
// state ends elsewhere.
Saved with_nudged_job_weights(Saved saved) {
  nlohmann::json snapshot = nlohmann::json::parse(saved.snapshot);
  nlohmann::json& training = snapshot["training"];
  Model model = load_model_json(training["state"]["model"].get<std::string>());
  for (float& v : model.params().values) v *= 1.01f;
  training["state"]["model"] = save_model_json(model, {WeightsEncoding::kBase64, -1});
  if (!training["checkpoint"].is_null()) {
    TrainingCheckpoint checkpoint = checkpoint_from_json(training["checkpoint"]);
    for (float& v : checkpoint.weights) v *= 1.01f;
    training["checkpoint"] = checkpoint_to_json(checkpoint);
  }
  saved.snapshot = snapshot.dump();
  return saved;
}

// Pruning the teacher: structured in two rounds with distillation while
// fine-tuning (snapshots inside round 1, between the rounds, inside round 2),
// and the gradual schedule whose masks grow during fine-tuning.
const nlohmann::json kPruneIterative = {{"method", "structured"}, {"sparsity", 0.5}, {"schedule", "iterative"},
                                        {"rounds", 2},            {"finetuneEpochs", 2}, {"useTeacher", true},
                                        {"lr", 0.005},            {"batch", 16},         {"seed", 4}};
const nlohmann::json kPruneGradual = {{"method", "global"}, {"sparsity", 0.8}, {"schedule", "gradual"},
                                      {"finetuneEpochs", 3}, {"useTeacher", false}, {"lr", 0.005},
                                      {"batch", 16},         {"seed", 6}};

TEST_P(SessionRestore, APruningJobResumedAfterAReloadEndsWithTheUninterruptedBitsAndMasks) {
  for (const auto& [options, snapshot_epochs] :
       {std::pair{kPruneIterative, std::vector<int>{1, 2, 3}}, std::pair{kPruneGradual, std::vector<int>{1, 2}}}) {
    Studio reference(false);
    reference.load_and_train_teacher();
    const nlohmann::json straight_done = run_job(reference.app, reference.api, "prune", options);
    ASSERT_TRUE(straight_done["value"]["ok"]) << straight_done.dump();
    const Model straight = load_model_json(reference.api.call_json("exportStudent", {})["value"]["text"]);

    for (int epochs_done : snapshot_epochs) {
      SCOPED_TRACE(options["schedule"].get<std::string>() + ", saved after epoch " + std::to_string(epochs_done));
      Studio before(false);
      before.load_and_train_teacher();
      const Saved saved = snapshot_mid_job(before, "prune", options, epochs_done);
      const nlohmann::json snapshot = nlohmann::json::parse(saved.snapshot);
      ASSERT_TRUE(snapshot["training"].is_object());
      EXPECT_EQ(snapshot["training"]["kind"], "prune");
      EXPECT_EQ(snapshot["training"]["epochs_done"], epochs_done);
      const int rounds = options["schedule"] == "iterative" ? options["rounds"].get<int>() : 1;
      EXPECT_EQ(snapshot["training"]["epochs"], options["finetuneEpochs"].get<int>() * rounds);
      EXPECT_NE(saved.info["summary"].get<std::string>().find("pruning at epoch " + std::to_string(epochs_done)),
                std::string::npos)
          << saved.info["summary"];

      Studio after(GetParam());
      const nlohmann::json restored = after.restore(saved);
      ASSERT_TRUE(restored["ok"]) << restored.dump();
      EXPECT_EQ(restored["value"]["training"]["kind"], "prune");
      EXPECT_EQ(restored["value"]["training"]["epoch"], epochs_done);
      EXPECT_FALSE(after.app.session.student) << "the student appears when the resumed job ends, not before";
      const nlohmann::json done = after.wait(restored["value"]["job"]);
      ASSERT_TRUE(done["value"]["ok"]) << done.dump();
      EXPECT_EQ(done["value"]["result"]["resumed_from_epoch"], epochs_done);
      EXPECT_FALSE(done["value"]["result"]["stopped"]);
      const Model resumed = load_model_json(after.api.call_json("exportStudent", {})["value"]["text"]);
      EXPECT_EQ(resumed.parameter_count(), straight.parameter_count());
      EXPECT_TRUE(same_bits(resumed.params().values, straight.params().values));
      EXPECT_TRUE(same_bits(resumed.params().masks, straight.params().masks));
      EXPECT_EQ(after.app.session.curves.epochs.size(), reference.app.session.curves.epochs.size());

      Studio nudged(GetParam());
      const nlohmann::json renudged = nudged.restore(with_nudged_job_weights(saved));
      ASSERT_TRUE(renudged["ok"]) << renudged.dump();
      ASSERT_TRUE(nudged.wait(renudged["value"]["job"])["value"]["ok"]);
      const Model from_nudged = load_model_json(nudged.api.call_json("exportStudent", {})["value"]["text"]);
      EXPECT_FALSE(same_bits(from_nudged.params().values, straight.params().values))
          << "the resumed job did not start from the saved weights";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(ThreadedAndSliced, SessionRestore, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "Threaded" : "Sliced"; });

TEST(SessionSnapshot, ABrokenPruningResumePointIsNamedAndTheRestStaysRestored) {
  Studio before(false);
  before.load_and_train_teacher();
  const Saved saved = snapshot_mid_job(before, "prune", kPruneIterative, 1);
  const std::vector<std::pair<std::string, std::function<void(nlohmann::json&)>>> breakages = {
      {"the saved pruning run is broken (round 7 of 2)", [](nlohmann::json& t) { t["state"]["round"] = 7; }},
      {"the saved pruning run is broken (phase 'prune')", [](nlohmann::json& t) { t["state"]["phase"] = "prune"; }},
      {"the saved pruning run is broken: ", [](nlohmann::json& t) { t["state"].erase("model"); }},
      {"the saved pruning run pruned the student, but now the teacher would be pruned",
       [](nlohmann::json& t) { t["state"]["source"] = "student"; }},
  };
  for (const auto& [message, breakage] : breakages) {
    nlohmann::json snapshot = nlohmann::json::parse(saved.snapshot);
    breakage(snapshot["training"]);
    Saved broken = saved;
    broken.snapshot = snapshot.dump();
    Studio after(false);
    const nlohmann::json restored = after.restore(broken);
    ASSERT_TRUE(restored["ok"]) << restored.dump();
    EXPECT_NE(restored["value"].value("resumeError", std::string()).find(message), std::string::npos)
        << restored.dump();
    EXPECT_TRUE(restored["value"]["job"].is_null());
    EXPECT_FALSE(after.app.worker.busy());
    ASSERT_TRUE(after.app.session.teacher);  // the models and dataset came back all the same
    EXPECT_TRUE(same_bits(after.app.session.teacher->params().values, before.app.session.teacher->params().values));
    EXPECT_EQ(after.app.session.dataset->labels, before.app.session.dataset->labels);
  }
}

TEST(SessionSnapshot, ModelsSettingsAndDatasetComeBackWithoutATrainingRun) {
  Studio before(false);
  before.load_and_train_teacher();
  ASSERT_TRUE(run_job(before.app, before.api, "distill", kDistill)["value"]["ok"]);
  ASSERT_TRUE(run_job(before.app, before.api, "prune", {{"sparsity", 0.5}, {"finetuneEpochs", 1}})["value"]["ok"]);
  before.app.selected = PanelId::kPrune;
  const Saved saved = before.save();
  EXPECT_TRUE(nlohmann::json::parse(saved.snapshot)["training"].is_null());

  Studio after(false);
  const nlohmann::json restored = after.restore(saved);
  ASSERT_TRUE(restored["ok"]) << restored.dump();
  EXPECT_TRUE(restored["value"]["job"].is_null());
  const Session& a = after.app.session;
  const Session& b = before.app.session;
  EXPECT_TRUE(same_bits(a.student->params().values, b.student->params().values));
  EXPECT_TRUE(same_bits(a.student->params().masks, b.student->params().masks));  // the pruned student
  EXPECT_EQ(a.student_recipe.method, b.student_recipe.method);
  EXPECT_FLOAT_EQ(a.student_recipe.sparsity, b.student_recipe.sparsity);
  EXPECT_EQ(a.split.test, b.split.test);
  EXPECT_EQ(a.curves.epochs.size(), b.curves.epochs.size());
  EXPECT_EQ(after.app.selected, PanelId::kPrune);
  EXPECT_FLOAT_EQ(after.app.prune_panel.options.sparsity, 0.5f);
  // Evaluate and predict work on what came back.
  EXPECT_TRUE(run_job(after.app, after.api, "evaluate")["value"]["ok"]);
}

TEST(SessionSnapshot, ABrokenSnapshotChangesNothing) {
  Studio before(false);
  before.load_and_train_teacher();
  const Saved good = before.save();

  Studio after(false);
  for (auto& f : band_dataset_files(90, 3, 10, 99)) after.api.stage_file(f.path, f.bytes);
  ASSERT_TRUE(run_job(after.app, after.api, "loadDataset")["value"]["ok"]);
  const Dataset* data = after.app.session.dataset.get();

  auto refused = [&](Saved s, const std::string& message, bool with_dataset = true) {
    const nlohmann::json reply = after.restore(s, with_dataset);
    EXPECT_FALSE(reply["ok"]) << message;
    EXPECT_NE(reply.value("error", std::string()).find(message), std::string::npos) << reply.dump();
    EXPECT_EQ(after.app.session.dataset.get(), data);
    EXPECT_EQ(after.app.session.teacher, nullptr);
  };
  Saved s = good;
  s.snapshot.resize(s.snapshot.size() / 2);
  refused(s, "the saved session");
  s = good;
  s.dataset.resize(s.dataset.size() - 1);
  refused(s, "saved dataset: cut short");
  refused(good, "dataset bytes are missing", false);
  s = good;
  s.dataset[9] = 7;  // version
  refused(s, "saved dataset: unknown version");
  nlohmann::json j = nlohmann::json::parse(good.snapshot);
  j["dataset"]["count"] = 1;
  s = good;
  s.snapshot = j.dump();
  refused(s, "does not match the saved session");
  j = nlohmann::json::parse(good.snapshot);
  j["teacher"]["model"] = "{}";
  s.snapshot = j.dump();
  refused(s, "the saved session's teacher");
  j = nlohmann::json::parse(good.snapshot);
  j["settings"]["distill"]["epochs"] = -3;
  s.snapshot = j.dump();
  refused(s, "epochs must be between 1 and 1000");
  j = nlohmann::json::parse(good.snapshot);
  j["format"] = "something else";
  s.snapshot = j.dump();
  refused(s, "not a Distillery session");

  // And the good one still restores.
  EXPECT_TRUE(after.restore(good)["ok"]);
  EXPECT_NE(after.app.session.teacher, nullptr);
}

TEST(SessionSnapshot, DatasetBytesRoundTripAndEveryTruncationIsAnError) {
  Dataset d;
  d.height = 3;
  d.width = 2;
  d.channels = 3;
  d.class_names = {"cat", "dog", "ünïcode"};
  for (int i = 0; i < 7; ++i) {
    d.labels.push_back(i % 3);
    for (int p = 0; p < 18; ++p) d.pixels.push_back(static_cast<uint8_t>(i * 31 + p));
  }
  const std::vector<uint8_t> bytes = encode_dataset_bytes(d);
  const Dataset back = decode_dataset_bytes(bytes);
  EXPECT_EQ(back.pixels, d.pixels);
  EXPECT_EQ(back.labels, d.labels);
  EXPECT_EQ(back.class_names, d.class_names);
  EXPECT_EQ(back.sample_shape(), d.sample_shape());
  for (size_t cut = 0; cut < bytes.size(); ++cut)
    EXPECT_THROW(decode_dataset_bytes(std::vector<uint8_t>(bytes.begin(), bytes.begin() + cut)), Error) << cut;
  // A header claiming 2^32-1 images of 16384 x 16384 fails before allocating.
  std::vector<uint8_t> huge = bytes;
  auto put = [&](int at, uint32_t v) {
    for (int i = 0; i < 4; ++i) huge[at + i] = static_cast<uint8_t>(v >> (8 * i));
  };
  put(12, 16384);       // height
  put(16, 16384);       // width
  put(24, 0xFFFFFFFF);  // images
  try {
    decode_dataset_bytes(huge);
    ADD_FAILURE() << "accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("over the dataset size limit"), std::string::npos) << e.what();
  }
}

TEST(SessionSnapshot, TheRestoreBannersChoiceReachesThePageOnce) {
  Studio studio(false);
  studio.api.call_json("offerRestore", {{"savedAt", "14:05"}, {"detail", "dataset, teacher"}});
  EXPECT_TRUE(studio.app.restore_offer.shown);
  EXPECT_EQ(studio.app.restore_offer.saved_at, "14:05");
  EXPECT_TRUE(studio.api.call_json("sessionTick", {})["value"]["offered"]);
  studio.app.restore_offer.choice = "discard";  // what the Discard button does
  studio.app.restore_offer.shown = false;
  EXPECT_EQ(studio.api.call_json("sessionTick", {})["value"]["choice"], "discard");
  EXPECT_EQ(studio.api.call_json("sessionTick", {})["value"]["choice"], "");
}

TEST(Downloads, StudentAndTeacherFilesAreJsonThatLoadsBackBitIdentically) {
  Studio studio(false);
  studio.load_and_train_teacher();
  ASSERT_TRUE(run_job(studio.app, studio.api, "distill", kDistill)["value"]["ok"]);
  ASSERT_TRUE(run_job(studio.app, studio.api, "prune", {{"sparsity", 0.6}, {"finetuneEpochs", 1}})["value"]["ok"]);
  const Model& student = *studio.app.session.student;
  ASSERT_TRUE(student.params().has_pruning());
  for (bool base64 : {false, true}) {
    // What the Export button downloads goes through platform.save_file.
    ASSERT_TRUE(studio.api.call_json("downloadStudent", {{"base64", base64}})["ok"]);
    const std::string file = studio.platform.last_text;
    EXPECT_FALSE(nlohmann::json::parse(file, nullptr, false).is_discarded());
    const Model back = load_model_json(file);
    EXPECT_TRUE(same_bits(back.params().values, student.params().values)) << base64;
    EXPECT_TRUE(same_bits(back.params().masks, student.params().masks)) << base64;
    const ModelJsonOptions as_exported{base64 ? WeightsEncoding::kBase64 : WeightsEncoding::kArray, base64 ? -1 : 1};
    EXPECT_EQ(save_model_json(back, as_exported), file);
    const std::string teacher = studio.api.call_json("exportTeacher", {{"base64", base64}})["value"]["text"];
    EXPECT_TRUE(same_bits(load_model_json(teacher).params().values, studio.app.session.teacher->params().values));
  }
}

}  // namespace
}  // namespace distillery

namespace distillery {
namespace {

TEST(SessionSnapshot, ADatasetIsKeptUpTo64MegabytesOfPixelsAndLabels) {
  Dataset d;
  d.height = d.width = 1;
  d.channels = 1;
  d.labels.assign(1000, 0);
  d.pixels.assign(static_cast<size_t>(kMaxSavedDatasetBytes) - 4 * 1000, 0);
  EXPECT_TRUE(dataset_fits_snapshot(d));
  d.pixels.push_back(0);
  EXPECT_FALSE(dataset_fits_snapshot(d));
}

}  // namespace
}  // namespace distillery
