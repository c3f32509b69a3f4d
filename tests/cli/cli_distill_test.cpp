// distillery distill, run as a separate process from a teacher it trained first.
#include <gtest/gtest.h>

#include "cli_test_support.h"
#include "native/model_files.h"

namespace distillery::testing {
namespace {

TEST(CliDistill, StudentLearnsFromTheTeacher) {
  TempDir dir;
  const std::string teacher = train_quick_model(dir);
  write_band_csv(dir.file("test.csv"), 60, 8);
  const RunResult r = run_cli("distill --teacher " + teacher + " --data " + dir.file("quick_train.csv") +
                              " --arch conv:4:3,pool:2 --temperature 4 --alpha 0.1 --epochs 4 --lr 0.01 --teacher-mode cached " +
                              "--test-data " + dir.file("test.csv") + " --out " + dir.file("student.json"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("distill epoch 4/4"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("logits over 300 samples"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("agreement"), std::string::npos) << r.out;

  Model student = load_model_file(dir.file("student.json"));
  Model teacher_model = load_model_file(teacher);
  EXPECT_EQ(student.class_names, teacher_model.class_names);
  EXPECT_EQ(student.input_shape(), teacher_model.input_shape());
  const nlohmann::json& p = student.provenance;
  EXPECT_EQ(p["distilled_from"]["file"], teacher);
  EXPECT_EQ(p["distilled_from"]["params"], teacher_model.parameter_count());
  EXPECT_GE(p["distilled_from"]["agreement"].get<double>(), 0.8);
  EXPECT_GT(p["accuracy"].get<double>(), 0.8);
  EXPECT_EQ(p["settings"]["loss"], "kd");
  EXPECT_FLOAT_EQ(p["settings"]["temperature"].get<float>(), 4.0f);
  EXPECT_FLOAT_EQ(p["settings"]["alpha"].get<float>(), 0.1f);
}

// Without soft-target flags distill uses the engine's kDistillSoftTargets
// (T = 1, the teacher's targets alone), and prune's fine-tuning its own.
TEST(CliDistill, SoftTargetsDefaultToTheMeasuredSettings) {
  TempDir dir;
  const std::string teacher = train_quick_model(dir);
  const RunResult r = run_cli("distill --teacher " + teacher + " --data " + dir.file("quick_train.csv") +
                              " --arch dense:4 --epochs 1 --out " + dir.file("student.json"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json settings = load_model_file(dir.file("student.json")).provenance["settings"];
  EXPECT_FLOAT_EQ(settings["temperature"].get<float>(), 1.0f);
  EXPECT_FLOAT_EQ(settings["alpha"].get<float>(), 0.0f);
  EXPECT_NE(run_cli("distill --help").out.find("soft targets [default: 1]"), std::string::npos);
  EXPECT_NE(run_cli("prune --help").out.find("soft targets [default: 4]"), std::string::npos);
}

TEST(CliDistill, LogitMatchingOnDataOfAnotherSize) {
  TempDir dir;
  const std::string teacher = train_quick_model(dir);  // 8x8 gray
  write_band_png_folder(dir.file("big"), 40, 6, 16, /*rgb=*/true);  // 16x16 RGB, brought to 8x8 gray
  const RunResult r = run_cli("distill --teacher " + teacher + " --data " + dir.file("big") +
                              " --arch dense:8 --loss mse --epochs 4 --lr 0.01 --out " + dir.file("s.json"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Model student = load_model_file(dir.file("s.json"));
  EXPECT_EQ(student.input_shape(), (Shape{8, 8, 1}));
  EXPECT_EQ(student.provenance["settings"]["loss"], "mse");
  EXPECT_GT(student.provenance["distilled_from"]["agreement"].get<double>(), 0.6);
}

}  // namespace
}  // namespace distillery::testing
