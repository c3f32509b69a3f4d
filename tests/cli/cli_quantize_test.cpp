// distillery quantize, and eval / predict on its output: int8 calibrated on
// the training data keeps the float model's accuracy and predictions, the
// weight-only modes need no data, and bad files and flags get clear errors.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli_test_support.h"

namespace distillery::testing {
namespace {

using Json = nlohmann::json;

Json run_json(const std::string& args) {
  const RunResult r = run_cli(args);
  EXPECT_EQ(r.exit_code, 0) << args << "\n" << r.err;
  return Json::parse(r.out);
}

TEST(CliQuantize, Int8KeepsAccuracyAndEvalAndPredictRunTheQuantizedModel) {
  TempDir dir;
  const std::string model = train_quick_model(dir, "model.json", "conv:4:3,pool:2,dense:16");
  const std::string data = dir.file("data.csv");
  write_band_csv(data, 120, 5);
  const std::string q = dir.file("q.json");
  const Json report = run_json("quantize --model " + model + " --data " + data + " --mode int8 --calibration 100 --out " +
                               q + " --json");
  EXPECT_EQ(report["mode"], "int8");
  EXPECT_EQ(report["calibration_samples"], 100);
  EXPECT_GE(report["agreement_with_float"].get<double>(), 0.95);
  EXPECT_GE(report["float32_weight_bytes"].get<double>() / report["weight_bytes"].get<double>(), 3.0);
  EXPECT_EQ(Json::parse(read_text(q))["quantization"]["mode"], "int8");

  const Json float_eval = run_json("eval --model " + model + " --data " + data + " --json");
  const Json int8_eval = run_json("eval --model " + q + " --data " + data + " --json");
  EXPECT_EQ(int8_eval["quantization"], "int8");
  EXPECT_NEAR(int8_eval["accuracy"].get<double>(), float_eval["accuracy"].get<double>(), 0.03);
  EXPECT_GT(int8_eval["accuracy"].get<double>(), 0.9);

  const RunResult table = run_cli("eval --model " + q + " --data " + data);
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("quantized  int8"), std::string::npos) << table.out;

  std::string files;
  for (int label = 0; label < 3; ++label) {
    const std::string png = dir.file(std::string(kBandClasses[label]) + ".png");
    write_png(png, band_image(label, 8, 8, 90 + label), 8, 8, 1);
    files += " " + png;
  }
  const Json predicted = run_json("predict --json --model " + q + files);
  ASSERT_EQ(predicted.size(), 3u);
  for (int label = 0; label < 3; ++label) EXPECT_EQ(predicted[label]["label"], kBandClasses[label]);
}

TEST(CliQuantize, WeightOnlyModesNeedNoData) {
  TempDir dir;
  const std::string model = train_quick_model(dir);
  const std::string data = dir.file("data.csv");
  write_band_csv(data, 60, 6);
  for (const char* mode : {"int8-weights", "float16"}) {
    const std::string out = dir.file(std::string(mode) + ".json");
    const Json report = run_json("quantize --model " + model + " --mode " + mode + " --out " + out + " --json");
    EXPECT_EQ(report["mode"], mode);
    // A 1,100-weight model: the file's metadata weighs, so the weights are compared.
    EXPECT_LT(report["file_bytes"].get<double>(), report["float32_file_bytes"].get<double>()) << mode;
    EXPECT_GE(report["float32_weight_bytes"].get<double>() / report["weight_bytes"].get<double>(),
              std::string(mode) == "float16" ? 2.0 : 3.0) << mode;
    const Json e = run_json("eval --model " + out + " --data " + data + " --json");
    EXPECT_EQ(e["quantization"], mode);
    EXPECT_GT(e["accuracy"].get<double>(), 0.9);
  }
}

TEST(CliQuantize, AResidualGraphQuantizesAndEvalAndPredictRunIt) {
  TempDir dir;
  // A ResNet-style graph: an identity block, a projection block, global average pooling.
  const std::string model = train_quick_model(dir, "res.json", "conv:4:3,res:4,res:8:2,gap");
  const std::string data = dir.file("data.csv");
  write_band_csv(data, 120, 7);
  const Json float_eval = run_json("eval --model " + model + " --data " + data + " --json");
  // Four quick epochs leave a ResNet well above chance (1/3) but short of the CNN's 0.9.
  ASSERT_GT(float_eval["accuracy"].get<double>(), 0.6);
  for (const char* mode : {"int8", "int8-weights", "float16"}) {
    SCOPED_TRACE(mode);
    const std::string q = dir.file(std::string("res_") + mode + ".json");
    const Json report = run_json("quantize --model " + model + " --data " + data + " --mode " + mode +
                                 " --calibration 100 --out " + q + " --json");
    EXPECT_EQ(report["mode"], mode);
    EXPECT_GE(report["agreement_with_float"].get<double>(), 0.95);
    EXPECT_TRUE(Json::parse(read_text(q))["layers"][1].contains("inputs"));  // still a graph on disk
    const Json e = run_json("eval --model " + q + " --data " + data + " --json");
    EXPECT_EQ(e["quantization"], mode);
    EXPECT_NEAR(e["accuracy"].get<double>(), float_eval["accuracy"].get<double>(), 0.03);
  }
  // Quantization-aware fine-tuning first, on the graph too.
  const std::string qat = dir.file("res_qat.json");
  const Json tuned = run_json("quantize --model " + model + " --data " + data + " --qat-epochs 1 --calibration 100 --out " +
                              qat + " --json");
  EXPECT_EQ(tuned["mode"], "int8");
  const Json qat_eval = run_json("eval --model " + qat + " --data " + data + " --json");
  EXPECT_GT(qat_eval["accuracy"].get<double>(), 0.6);

  const std::string png = dir.file(std::string(kBandClasses[1]) + ".png");
  write_png(png, band_image(1, 8, 8, 91), 8, 8, 1);
  const Json predicted = run_json("predict --json --model " + dir.file("res_int8.json") + " " + png);
  ASSERT_EQ(predicted.size(), 1u);
  EXPECT_EQ(predicted[0]["label"], kBandClasses[1]);
}

TEST(CliQuantize, QatEpochsWithATeacherFineTuneThenQuantize) {
  TempDir dir;
  const std::string teacher = train_quick_model(dir, "teacher.json", "dense:16");
  const std::string student = train_quick_model(dir, "student.json", "dense:4");
  const std::string data = dir.file("data.csv");
  write_band_csv(data, 60, 9);
  const std::string q = dir.file("q.json");
  RunResult r = run_cli("quantize --model " + student + " --data " + data + " --qat-epochs 2 --teacher " + teacher +
                        " --json --out " + q);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json report = Json::parse(r.out);
  EXPECT_EQ(report["qat"]["epochs"], 2);
  EXPECT_EQ(report["qat"]["teacher"], teacher);
  const Json doc = Json::parse(read_text(q));
  EXPECT_EQ(doc["quantization"]["mode"], "int8");
  EXPECT_EQ(doc["provenance"]["quantization_aware_training"]["loss"], "kd");
  // The fine-tuned weights are what was quantized: the kernels differ from PTQ's of the same model.
  const std::string ptq = dir.file("ptq.json");
  ASSERT_EQ(run_cli("quantize --model " + student + " --data " + data + " --weights-encoding array --out " + ptq).exit_code, 0);
  ASSERT_EQ(run_cli("quantize --model " + student + " --data " + data + " --qat-epochs 1 --weights-encoding array --out " + q).exit_code, 0);
  EXPECT_NE(Json::parse(read_text(q))["layers"][1]["weights"]["kernel"]["data"],
            Json::parse(read_text(ptq))["layers"][1]["weights"]["kernel"]["data"]);
  r = run_cli("eval --model " + q + " --data " + data + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GT(Json::parse(r.out)["accuracy"].get<double>(), 0.9);

  r = run_cli("quantize --model " + student + " --data " + data + " --teacher " + teacher + " --out " + q);
  EXPECT_EQ(r.exit_code, 1);
  ASSERT_EQ(r.err_lines().size(), 1u) << r.err;
  EXPECT_NE(r.err.find("--teacher and --qat-lr apply to quantization-aware fine-tuning"), std::string::npos) << r.err;
  r = run_cli("quantize --model " + student + " --mode float16 --qat-epochs 1 --out " + q);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("--qat-epochs: fine-tuning trains on --data"), std::string::npos) << r.err;
  r = run_cli("quantize --model " + student + " --data " + data + " --qat-epochs 5000 --out " + q);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("epochs"), std::string::npos) << r.err;
}

TEST(CliQuantize, BadFlagsAndFilesAreNamed) {
  TempDir dir;
  const std::string model = train_quick_model(dir);
  RunResult r = run_cli("quantize --model " + model + " --mode int8 --out " + dir.file("q.json"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("--data: the int8 mode calibrates"), std::string::npos) << r.err;
  r = run_cli("quantize --model " + model + " --mode int4 --out " + dir.file("q.json"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("int4"), std::string::npos) << r.err;

  const std::string data = dir.file("data.csv");
  write_band_csv(data, 30, 7);
  // The engine's limits in the engine's words: the page refuses these with the same line.
  const std::string base = "quantize --model " + model + " --data " + data + " --out " + dir.file("q.json");
  for (const auto& [flags, words] : std::vector<std::pair<std::string, std::string>>{
           {" --calibration 0", "distillery: quantize: calibration must be 1 to 20000 images, got 0"},
           {" --calibration 50000", "distillery: quantize: calibration must be 1 to 20000 images, got 50000"},
           {" --calibration-method percentile --percentile 40",
            "distillery: quantize: the calibration percentile must be above 50 and at most 100, got 40.000000"}}) {
    r = run_cli(base + flags);
    EXPECT_EQ(r.exit_code, 1) << flags;
    EXPECT_EQ(r.err_lines(), std::vector<std::string>{words}) << r.err;
  }
  const std::string q = dir.file("q.json");
  ASSERT_EQ(run_cli("quantize --model " + model + " --data " + data + " --weights-encoding array --out " + q).exit_code, 0);
  Json doc = Json::parse(read_text(q));
  doc["layers"][1]["weights"]["kernel"]["scales"][0] = 0;
  const std::string bad = dir.file("bad.json");
  write_text(bad, doc.dump());
  r = run_cli("eval --model " + bad + " --data " + data);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(bad + ": layer 1 (dense): weights.kernel.scales[0] is 0"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace distillery::testing
