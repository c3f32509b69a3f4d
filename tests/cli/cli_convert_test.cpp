// distillery convert: Distillery -> TF.js files (folder or .json path) -> back,
// with the same predictions; options recorded on import; one-line errors for
// missing shards, wrong class counts and files that are no model; TF.js's
// quantized weight storage (--tfjs-weights) and quantized models exported.
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

std::vector<float> probabilities(const std::string& model, const std::string& image) {
  return json::parse(predict_json(model, image)).get<std::vector<float>>();
}

TEST(CliConvert, TfjsWeightsStoreUint8OrFloat16InTfjsFormAndImportBackClose) {
  TempDir dir;
  const std::string model = train_quick_model(dir, "teacher.json", "conv:3:3,pool:2,dense:8");
  const int64_t params = json::parse(read_text(model))["params"].get<int64_t>();
  write_png(dir.file("x.png"), band_image(2, 8, 8, 5), 8, 8, 1);
  const std::vector<float> original = probabilities(model, dir.file("x.png"));
  for (const auto& [dtype, bytes_per_value] : std::vector<std::pair<std::string, int64_t>>{{"uint8", 1}, {"float16", 2}}) {
    SCOPED_TRACE(dtype);
    const std::string out = dir.file("tfjs_" + dtype);
    const RunResult r = run_cli("convert --in " + model + " --out " + out + " --tfjs-weights " + dtype);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("weights: " + dtype + ", " + std::to_string(params * bytes_per_value) + " bytes"),
              std::string::npos) << r.out;
    EXPECT_EQ(static_cast<int64_t>(fs::file_size(out + "/weights.bin")), params * bytes_per_value);
    for (const json& entry : json::parse(read_text(out + "/model.json"))["weightsManifest"][0]["weights"])
      EXPECT_EQ(entry["quantization"]["dtype"], dtype) << entry.dump();

    const std::string back = dir.file("back_" + dtype + ".json");
    ASSERT_EQ(run_cli("convert --in " + out + " --out " + back).exit_code, 0);
    const std::vector<float> again = probabilities(back, dir.file("x.png"));
    ASSERT_EQ(again.size(), original.size());
    for (size_t k = 0; k < again.size(); ++k) EXPECT_NEAR(again[k], original[k], 0.02) << k;
  }
}

// A quantized Distillery model exports as the float model it stands for: with
// float32 TF.js weights, its dequantized kernels exactly.
TEST(CliConvert, AQuantizedModelExportsItsDequantizedWeights) {
  TempDir dir;
  const std::string model = train_quick_model(dir);
  const std::string q = dir.file("q.json");
  ASSERT_EQ(run_cli("quantize --model " + model + " --mode int8-weights --out " + q).exit_code, 0);
  ASSERT_EQ(run_cli("convert --in " + q + " --out " + dir.file("tfjs")).exit_code, 0);
  ASSERT_EQ(run_cli("convert --in " + dir.file("tfjs") + " --out " + dir.file("back.json")).exit_code, 0);
  write_png(dir.file("x.png"), band_image(0, 8, 8, 6), 8, 8, 1);
  EXPECT_EQ(predict_json(dir.file("back.json"), dir.file("x.png")), predict_json(q, dir.file("x.png")));
  EXPECT_NE(predict_json(dir.file("back.json"), dir.file("x.png")), predict_json(model, dir.file("x.png")));
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

  r = run_cli("convert --in " + model + " --out " + dir.file("x") + " --tfjs-weights int8");
  EXPECT_EQ(r.exit_code, 1);
  ASSERT_EQ(r.err_lines().size(), 1u) << r.err;
  EXPECT_NE(r.err.find("--tfjs-weights: 'int8' is not one of float32, uint8, uint16, float16"), std::string::npos)
      << r.err;
  r = run_cli("convert --in " + model + " --out " + dir.file("x.onnx") + " --tfjs-weights uint8");
  EXPECT_EQ(r.exit_code, 1);
  ASSERT_EQ(r.err_lines().size(), 1u) << r.err;
  EXPECT_NE(r.err.find("--tfjs-weights applies to a TensorFlow.js export (--to tfjs)"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir.file("x")));
  EXPECT_FALSE(fs::exists(dir.file("x.onnx")));
}

}  // namespace
}  // namespace distillery::testing
