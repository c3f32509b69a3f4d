// Model files written by an earlier main (tests/fixtures/main-1202360, made by
// its make_fixtures.sh) still load and predict what they predicted then.
#include <cmath>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/cli_test_support.h"

namespace distillery::testing {
namespace {

const std::string kFixtures = std::string(DISTILLERY_SOURCE_DIR) + "/tests/fixtures/main-1202360";

// Runs predict from the fixture folder, so the file names match the recorded ones.
nlohmann::json predict(const std::string& model) {
  const RunResult r = run_cli("predict --model " + model + " --top 3 --json --threads 1 " + kFixtures +
                              "/images/bar.bmp " + kFixtures + "/images/column.bmp " + kFixtures +
                              "/images/diagonal.bmp");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return nlohmann::json::parse(r.out);
}

void expect_same_probabilities(const nlohmann::json& now, const nlohmann::json& then) {
  ASSERT_EQ(now.size(), then.size());
  for (size_t i = 0; i < now.size(); ++i) {
    EXPECT_EQ(now[i]["label"], then[i]["label"]) << "image " << i;
    const auto& p = now[i]["probabilities"];
    const auto& q = then[i]["probabilities"];
    ASSERT_EQ(p.size(), q.size());
    for (size_t k = 0; k < p.size(); ++k)
      EXPECT_NEAR(p[k].get<double>(), q[k].get<double>(), 1e-6) << "image " << i << " class " << k;
  }
}

class OldModelFile : public ::testing::TestWithParam<const char*> {};

TEST_P(OldModelFile, LoadsAndPredictsAsWhenItWasWritten) {
  const std::string name = GetParam();
  const nlohmann::json then = nlohmann::json::parse(read_text(kFixtures + "/" + name + ".predictions.json"));
  expect_same_probabilities(predict(kFixtures + "/" + name + ".json"), then);
}

INSTANTIATE_TEST_SUITE_P(Main1202360, OldModelFile,
                         ::testing::Values("mlp", "mlp_base64", "cnn", "cnn_bn", "cnn_pruned"));

TEST(OldTfjsExport, ImportsBackToTheModelItWasExportedFrom) {
  TempDir dir;
  const RunResult r = run_cli("convert --in " + kFixtures + "/cnn_bn_tfjs/model.json --out " + dir.file("back.json") +
                              "");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json then = nlohmann::json::parse(read_text(kFixtures + "/cnn_bn.predictions.json"));
  expect_same_probabilities(predict(dir.file("back.json")), then);
}

}  // namespace
}  // namespace distillery::testing
