// distillery convert: Distillery -> TF.js files (folder or .json path) -> back,
// with the same predictions; options recorded on import; one-line errors for
// missing shards, wrong class counts and files that are no model.
#include <gtest/gtest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "cli_test_support.h"

namespace distillery::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string predict_json(const std::string& model, const std::string& image) {
  const RunResult r = run_cli("predict --model " + model + " --json " + image);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return json::parse(r.out)[0]["probabilities"].dump();
}

TEST(CliConvert, ToATfjsFolderAndBackKeepsPredictionsClassesAndPreprocessing) {
  TempDir dir;
  const std::string model = train_quick_model(dir, "teacher.json", "conv:3:3,pool:2,dense:8");
  const RunResult out = run_cli("convert --in " + model + " --out " + dir.file("tfjs"));
  ASSERT_EQ(out.exit_code, 0) << out.err;
  EXPECT_NE(out.out.find("TensorFlow.js Layers model"), std::string::npos) << out.out;
  ASSERT_TRUE(fs::exists(dir.file("tfjs/model.json")));
  ASSERT_TRUE(fs::exists(dir.file("tfjs/weights.bin")));
  const json tfjs = json::parse(read_text(dir.file("tfjs/model.json")));
  EXPECT_EQ(tfjs["format"], "layers-model");
  EXPECT_EQ(tfjs["weightsManifest"][0]["paths"][0], "weights.bin");
  EXPECT_EQ(static_cast<int64_t>(fs::file_size(dir.file("tfjs/weights.bin"))),
            json::parse(read_text(model))["params"].get<int64_t>() * 4);

  // The folder and its model.json both work as --in; the other format is the default.
  const RunResult back = run_cli("convert --in " + dir.file("tfjs") + " --out " + dir.file("back.json"));
  ASSERT_EQ(back.exit_code, 0) << back.err;
  const json original = json::parse(read_text(model)), again = json::parse(read_text(dir.file("back.json")));
  EXPECT_EQ(again["format"], "distillery-model");
  EXPECT_EQ(again["class_names"], original["class_names"]);
  EXPECT_EQ(again["preprocessing"], original["preprocessing"]);
  EXPECT_EQ(again["layers"], original["layers"]);  // bit-identical weights
  EXPECT_EQ(again["provenance"]["converted"]["from_format"], "tfjs");

  write_png(dir.file("x.png"), band_image(1, 8, 8, 4), 8, 8, 1);
  EXPECT_EQ(predict_json(dir.file("back.json"), dir.file("x.png")), predict_json(model, dir.file("x.png")));
}

TEST(CliConvert, AJsonOutputPathPutsTheWeightsBesideItAndImportOptionsAreRecorded) {
  TempDir dir;
  const std::string model = train_quick_model(dir);
  ASSERT_EQ(run_cli("convert --in " + model + " --out " + dir.file("student.json") + " --to tfjs").exit_code, 0);
  ASSERT_TRUE(fs::exists(dir.file("student.weights.bin")));
  EXPECT_EQ(json::parse(read_text(dir.file("student.json")))["weightsManifest"][0]["paths"][0], "student.weights.bin");

  const RunResult r = run_cli("convert --in " + dir.file("student.json") + " --out " + dir.file("named.json") +
                              " --classes up,centre,down --input-scale 0.5");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json named = json::parse(read_text(dir.file("named.json")));
  EXPECT_EQ(named["class_names"], json::parse(R"(["up", "centre", "down"])"));
  EXPECT_EQ(named["preprocessing"]["scale"], 0.5);
  EXPECT_EQ(named["provenance"]["imported_from"]["format"], "tfjs-layers-model");
}

TEST(CliConvert, ErrorsAreOneLineAndNameTheProblem) {
  TempDir dir;
  const std::string model = train_quick_model(dir);
  ASSERT_EQ(run_cli("convert --in " + model + " --out " + dir.file("t")).exit_code, 0);

  RunResult r = run_cli("convert --in " + dir.file("t") + " --out " + dir.file("x.json") + " --classes a,b");
  EXPECT_EQ(r.exit_code, 1);
  ASSERT_EQ(r.err_lines().size(), 1u) << r.err;
  EXPECT_NE(r.err.find("2 class names were given but the model has 3 outputs"), std::string::npos) << r.err;

  fs::remove(dir.file("t/weights.bin"));
  r = run_cli("convert --in " + dir.file("t") + " --out " + dir.file("x.json"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("t/model.json: the weight file 'weights.bin' is not there"), std::string::npos) << r.err;

  write_text(dir.file("other.json"), R"({"hello": "world"})");
  r = run_cli("convert --in " + dir.file("other.json") + " --out " + dir.file("x"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("other.json: \"format\" is missing"), std::string::npos) << r.err;

  r = run_cli("convert --in " + dir.file("nothing") + " --out " + dir.file("x"));
  EXPECT_NE(r.err.find("nothing: no such file or folder"), std::string::npos) << r.err;
  r = run_cli("convert --in " + model + " --out " + dir.file("x") + " --to caffe");  // onnx is a format now
  EXPECT_NE(r.err.find("--to"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir.file("x")));
}

}  // namespace
}  // namespace distillery::testing
