// distillery distill's comparison with the student alone (--baseline), its
// augmentation, teacher modes, losses and unlabeled images, run as a process.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli_test_support.h"
#include "native/model_files.h"

namespace distillery::testing {
namespace {

const char* kAugment = "shift:1,rotate:10,mixup:0.4";

std::string distill_command(const TempDir& dir, const std::string& teacher, const std::string& extra,
                            int epochs = 3) {
  return "distill --teacher " + teacher + " --data " + dir.file("quick_train.csv") +
         " --arch dense:8 --epochs " + std::to_string(epochs) + " --lr 0.01 --seed 5 --augment " + kAugment + " --test-data " +
         dir.file("test.csv") + " " + extra;
}

TEST(CliDistillGain, BaselineIsTheStudentThatTrainTrainsWithTheSameFlags) {
  TempDir dir;
  const std::string teacher = train_quick_model(dir);
  write_band_csv(dir.file("test.csv"), 60, 8);
  const RunResult d = run_cli(distill_command(dir, teacher, "--baseline --baseline-out " + dir.file("alone.json") +
                                                                " --out " + dir.file("student.json")));
  ASSERT_EQ(d.exit_code, 0) << d.err;
  EXPECT_NE(d.out.find("vs alone"), std::string::npos) << d.out;
  EXPECT_NE(d.out.find("same seed and schedule"), std::string::npos) << d.out;
  const RunResult t = run_cli("train --data " + dir.file("quick_train.csv") + " --arch dense:8 --epochs 3 --lr 0.01 " +
                              "--seed 5 --augment " + kAugment + " --test-data " + dir.file("test.csv") + " --out " +
                              dir.file("trained.json"));
  ASSERT_EQ(t.exit_code, 0) << t.err;

  const Model alone = load_model_file(dir.file("alone.json"));
  const Model trained = load_model_file(dir.file("trained.json"));
  const Model distilled = load_model_file(dir.file("student.json"));
  ASSERT_EQ(alone.params().values.size(), trained.params().values.size());
  EXPECT_EQ(alone.params().values, trained.params().values) << "the baseline must be exactly `train`'s student";
  EXPECT_NE(alone.params().values, distilled.params().values);
  const nlohmann::json& baseline = distilled.provenance["baseline"];
  EXPECT_NEAR(baseline["gain"].get<double>(),
              distilled.provenance["accuracy"].get<double>() - baseline["accuracy"].get<double>(), 1e-12);
  EXPECT_EQ(distilled.provenance["settings"]["augment"], "shift:1,rotate:10,mixup:0.4");
  EXPECT_EQ(distilled.provenance["settings"]["teacher_mode"], "consistent");
}

TEST(CliDistillGain, JsonCarriesBothResultsAndTheGain) {
  TempDir dir;
  const std::string teacher = train_quick_model(dir);
  write_band_csv(dir.file("test.csv"), 60, 8);
  const RunResult r =
      run_cli(distill_command(dir, teacher, "--loss dkd --baseline --json --out " + dir.file("student.json")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  for (const char* key : {"accuracy", "baseline_accuracy", "gain", "agreement", "kl_to_teacher"})
    ASSERT_TRUE(j.contains(key)) << key << " missing in " << r.out;
  EXPECT_NEAR(j["gain"].get<double>(), j["accuracy"].get<double>() - j["baseline_accuracy"].get<double>(), 1e-12);
  EXPECT_GE(j["kl_to_teacher"].get<double>(), 0.0);
  EXPECT_EQ(j["loss"], "dkd");
  EXPECT_NE(r.err.find("vs alone"), std::string::npos) << "the gain line goes to stderr with --json";
}

TEST(CliDistillGain, CachedAndConsistentTeachersBothTrain) {
  TempDir dir;
  const std::string teacher = train_quick_model(dir);
  write_band_csv(dir.file("test.csv"), 60, 8);
  for (const char* mode : {"cached", "consistent"}) {
    const RunResult r = run_cli(distill_command(
        dir, teacher, std::string("--teacher-mode ") + mode + " --json --out " + dir.file(std::string(mode) + ".json"),
        8));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const nlohmann::json j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["teacher_mode"], mode);
    EXPECT_GT(j["accuracy"].get<double>(), 0.8) << mode;
  }
}

TEST(CliDistillGain, UnlabeledImagesJoinTheTrainingSet) {
  TempDir dir;
  const std::string teacher = train_quick_model(dir);
  write_band_csv(dir.file("test.csv"), 60, 8);
  write_band_png_folder(dir.file("extra"), 10, 11, 8);
  const RunResult r = run_cli(distill_command(dir, teacher, "--unlabeled " + dir.file("extra") + " --json --out " +
                                                                dir.file("student.json")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["unlabeled_samples"], 30);
  EXPECT_NE(r.err.find("+ 30 unlabeled"), std::string::npos) << r.err;
  const Model student = load_model_file(dir.file("student.json"));
  EXPECT_EQ(student.provenance["unlabeled"]["samples"], 30);
}

TEST(CliDistillGain, BadSettingsAreOneClearLine) {
  TempDir dir;
  const std::string teacher = train_quick_model(dir);
  write_band_csv(dir.file("test.csv"), 60, 8);
  write_band_png_folder(dir.file("big"), 4, 3, 16, /*rgb=*/true);
  struct Case {
    std::string flags, message;
  };
  const Case cases[] = {
      {"--augment shift:2,wobble:3", "--augment: augment: unknown item 'wobble:3'"},
      {"--augment shift:", "--augment: augment: 'shift:' is not a number"},
      {"--augment rotate:400", "--augment: augment: rotate must be 0 to 180 degrees, got 400"},
      {"--augment shift:2,,flip", "--augment: augment: empty item"},
      {"--teacher-mode lazy", "--teacher-mode"},
      {"--loss hinton", "--loss"},
      {"--baseline-out x.json", "--baseline-out: goes with --baseline"},
      {"--loss ce --unlabeled " + dir.file("big"), "--unlabeled: the ce loss cannot learn from unlabeled images"},
      {"--unlabeled " + dir.file("missing"), "missing: no such file or folder"},
      {"--warmup 9", "--warmup"},
  };
  for (const Case& c : cases) {
    const std::string cmd = "distill --teacher " + teacher + " --data " + dir.file("quick_train.csv") +
                            " --arch dense:8 --epochs 3 " + c.flags + " --out " + dir.file("s.json");
    const RunResult r = run_cli(cmd);
    EXPECT_EQ(r.exit_code, 1) << c.flags;
    const auto lines = r.err_lines();
    ASSERT_EQ(lines.size(), 1u) << c.flags << ":\n" << r.err;
    EXPECT_NE(lines[0].find(c.message), std::string::npos) << c.flags << ": " << lines[0];
  }
}

}  // namespace
}  // namespace distillery::testing
