// distillery predict on PNG files, text and --json, and the documented
// example model of docs/MODEL_FORMAT.md.
#include <gtest/gtest.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "cli_test_support.h"

namespace distillery::testing {
namespace {

TEST(CliPredict, JsonGivesLabelProbabilitiesAndTopK) {
  TempDir dir;
  const std::string model = train_quick_model(dir);
  // Larger RGB images than the 8x8 gray model: decoded at the model's size and colour.
  std::vector<std::string> files;
  for (int label = 0; label < 3; ++label) {
    const std::vector<uint8_t> gray = band_image(label, 24, 24, 77 + label);
    std::vector<uint8_t> rgb;
    for (uint8_t g : gray) rgb.insert(rgb.end(), {g, g, g});
    files.push_back(dir.file(std::string(kBandClasses[label]) + ".png"));
    write_png(files.back(), rgb, 24, 24, 3);
  }
  const RunResult r = run_cli("predict --model " + model + " --top 2 --json " + files[0] + " " + files[1] + " " +
                              files[2]);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_TRUE(j.is_array());
  ASSERT_EQ(j.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    const nlohmann::json& p = j[i];
    EXPECT_EQ(p["file"], files[i]);
    EXPECT_EQ(p["label"], kBandClasses[i]);
    ASSERT_EQ(p["probabilities"].size(), 3u);
    double sum = 0, best = 0;
    for (const auto& q : p["probabilities"]) {
      sum += q.get<double>();
      best = std::max(best, q.get<double>());
    }
    EXPECT_NEAR(sum, 1.0, 1e-5);
    EXPECT_DOUBLE_EQ(p["probability"].get<double>(), best);
    EXPECT_GT(best, 0.5);
    ASSERT_EQ(p["top"].size(), 2u);
    EXPECT_EQ(p["top"][0]["label"], p["label"]);
    EXPECT_LE(p["top"][1]["probability"].get<double>(), p["top"][0]["probability"].get<double>());
  }
}

TEST(CliPredict, TextLinesNameFileLabelAndProbability) {
  TempDir dir;
  const std::string model = train_quick_model(dir);
  write_png(dir.file("a.png"), band_image(2, 8, 8, 5), 8, 8, 1);
  const RunResult r = run_cli("predict --model " + model + " " + dir.file("a.png"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind(dir.file("a.png") + ": bottom (0.", 0), 0u) << r.out;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1);
}

TEST(CliPredict, TheDocumentedExampleModelLoadsAndRuns) {
  const std::string doc = read_text(std::string(DISTILLERY_SOURCE_DIR) + "/docs/MODEL_FORMAT.md");
  const std::string fence = "## Example";
  const size_t section = doc.find(fence);
  ASSERT_NE(section, std::string::npos);
  const size_t begin = doc.find("```json\n", section);
  const size_t end = doc.find("```", begin + 8);
  ASSERT_NE(begin, std::string::npos);
  TempDir dir;
  write_text(dir.file("example.json"), doc.substr(begin + 8, end - begin - 8));
  write_png(dir.file("x.png"), std::vector<uint8_t>(4, 200), 2, 2, 1);
  const RunResult r = run_cli("predict --json --model " + dir.file("example.json") + " " + dir.file("x.png"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 1u);
  EXPECT_TRUE(j[0]["label"] == "dark" || j[0]["label"] == "bright");
}

}  // namespace
}  // namespace distillery::testing
