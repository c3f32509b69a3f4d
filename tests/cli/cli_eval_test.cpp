// distillery eval: the --json object's fields and value ranges, the table,
// and data that does not match the model's input.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli_test_support.h"

namespace distillery::testing {
namespace {

nlohmann::json parse_single_object(const std::string& out) {
  nlohmann::json j = nlohmann::json::parse(out);  // throws unless stdout is exactly one JSON value
  EXPECT_TRUE(j.is_object());
  return j;
}

TEST(CliEval, JsonReportHasEveryFieldInRange) {
  TempDir dir;
  const std::string model = train_quick_model(dir);
  write_band_csv(dir.file("test.csv"), 90, 11);
  const RunResult r = run_cli("eval --model " + model + " --data " + dir.file("test.csv") + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = parse_single_object(r.out);
  EXPECT_EQ(j["samples"], 90);
  EXPECT_GT(j["accuracy"].get<double>(), 0.9);
  EXPECT_LE(j["accuracy"].get<double>(), 1.0);
  ASSERT_EQ(j["per_class_accuracy"].size(), 3u);
  for (const auto& a : j["per_class_accuracy"]) {
    EXPECT_GE(a.get<double>(), 0.0);
    EXPECT_LE(a.get<double>(), 1.0);
  }
  ASSERT_EQ(j["confusion"].size(), 3u);
  int total = 0, diagonal = 0;
  for (int t = 0; t < 3; ++t) {
    ASSERT_EQ(j["confusion"][t].size(), 3u);
    for (int p = 0; p < 3; ++p) total += j["confusion"][t][p].get<int>();
    diagonal += j["confusion"][t][t].get<int>();
  }
  EXPECT_EQ(total, 90);
  EXPECT_NEAR(j["accuracy"].get<double>(), diagonal / 90.0, 1e-12);
  EXPECT_EQ(j["params"], 64 * 16 + 16 + 16 * 3 + 3);
  EXPECT_GT(j["nonzero_params"].get<int64_t>(), 0);
  EXPECT_LE(j["nonzero_params"].get<int64_t>(), j["params"].get<int64_t>());
  EXPECT_GT(j["latency_ms_per_sample"].get<double>(), 0.0);
  EXPECT_EQ(j["class_names"], nlohmann::json({"bottom", "middle", "top"}));
  EXPECT_FALSE(j.contains("agreement"));
  EXPECT_FALSE(j.contains("teacher_accuracy"));
}

TEST(CliEval, TeacherAddsAgreementAndTeacherAccuracy) {
  TempDir dir;
  const std::string teacher = train_quick_model(dir, "teacher.json", "dense:16");
  const std::string student = train_quick_model(dir, "student.json", "dense:4");
  write_band_csv(dir.file("test.csv"), 60, 12);
  const RunResult r =
      run_cli("eval --model " + student + " --data " + dir.file("test.csv") + " --teacher " + teacher + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = parse_single_object(r.out);
  ASSERT_TRUE(j.contains("agreement"));
  EXPECT_GE(j["agreement"].get<double>(), 0.0);
  EXPECT_LE(j["agreement"].get<double>(), 1.0);
  // Both models are nearly perfect here, so they nearly always agree.
  EXPECT_GT(j["agreement"].get<double>(), 0.8);
  EXPECT_GT(j["teacher_accuracy"].get<double>(), 0.9);
  EXPECT_EQ(j["teacher_params"], 64 * 16 + 16 + 16 * 3 + 3);
}

TEST(CliEval, ReadableTableWithoutJson) {
  TempDir dir;
  const std::string model = train_quick_model(dir);
  const RunResult r = run_cli("eval --model " + model + " --data " + dir.file("quick_train.csv"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("accuracy"), std::string::npos);
  EXPECT_NE(r.out.find("latency"), std::string::npos);
  EXPECT_NE(r.out.find("middle"), std::string::npos);
  EXPECT_THROW(nlohmann::json::parse(r.out), nlohmann::json::parse_error);
}

TEST(CliEval, SmallerImagesAreBroughtToTheModelInput) {
  // A model for 8x8 gray images and a CSV of 3x3 images: conformed (resized), not misread.
  TempDir dir;
  const std::string model = train_quick_model(dir);
  write_band_csv(dir.file("tiny.csv"), 30, 13, 3, 3);
  const RunResult r = run_cli("eval --model " + model + " --data " + dir.file("tiny.csv") + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = parse_single_object(r.out);
  EXPECT_EQ(j["samples"], 30);
  EXPECT_GE(j["accuracy"].get<double>(), 0.0);
}

}  // namespace
}  // namespace distillery::testing
