// distillery train, run as a separate process on generated data.
#include <gtest/gtest.h>

#include <cstring>

#include "cli_test_support.h"
#include "native/model_files.h"

namespace distillery::testing {
namespace {

TEST(CliTrain, CsvDenseModelLearnsWellAboveChanceAndLoads) {
  TempDir dir;
  write_band_csv(dir.file("train.csv"), 300, 1);
  write_band_csv(dir.file("test.csv"), 90, 2);
  const RunResult r = run_cli("train --data " + dir.file("train.csv") + " --arch dense:16 --epochs 4 --lr 0.01 " +
                              "--test-data " + dir.file("test.csv") + " --out " + dir.file("m.json"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Progress: one line per epoch on stderr; the summary on stdout.
  EXPECT_NE(r.err.find("train epoch 1/4"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("train epoch 4/4"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("samples/s"), std::string::npos);
  EXPECT_NE(r.out.find("saved " + dir.file("m.json")), std::string::npos) << r.out;
  EXPECT_EQ(r.err.find('\r'), std::string::npos);  // no progress bar when stderr is not a terminal

  Model model = load_model_file(dir.file("m.json"));
  EXPECT_EQ(model.class_names, (std::vector<std::string>{"bottom", "middle", "top"}));
  EXPECT_EQ(model.input_shape(), (Shape{8, 8, 1}));
  EXPECT_EQ(model.parameter_count(), 64 * 16 + 16 + 16 * 3 + 3);
  const nlohmann::json& p = model.provenance;
  EXPECT_EQ(p["evaluation"]["set"], "test");
  EXPECT_EQ(p["evaluation"]["samples"], 90);
  EXPECT_GT(p["accuracy"].get<double>(), 0.9);  // chance is 1/3
  EXPECT_EQ(p["arch"], "dense:16");
  EXPECT_EQ(p["settings"]["epochs"], 4);
  EXPECT_EQ(p["seed"], 42);
  EXPECT_EQ(p["history"].size(), 4u);
  EXPECT_EQ(p["trained_from"], dir.file("train.csv"));
}

TEST(CliTrain, ConvNetOnAPngFolderWithOptionsAndBase64Weights) {
  TempDir dir;
  write_band_png_folder(dir.file("images"), 40, 5, 12, /*rgb=*/true);
  const RunResult r = run_cli("train --data " + dir.file("images") + " --arch conv:4:3,pool:2,dense:8 --epochs 5 " +
                              "--lr 0.01 --optimizer adamw --lr-schedule cosine --batch 16 --val-split 0.25 " +
                              "--weights-encoding base64 --threads 1 --out " + dir.file("cnn.json"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string text = read_text(dir.file("cnn.json"));
  EXPECT_NE(text.find("\"base64\""), std::string::npos);
  EXPECT_EQ(text.find("\"data\""), std::string::npos);
  Model model = load_model_file(dir.file("cnn.json"));
  EXPECT_EQ(model.input_shape(), (Shape{12, 12, 3}));
  EXPECT_EQ(model.provenance["evaluation"]["set"], "validation");
  EXPECT_EQ(model.provenance["evaluation"]["samples"], 30);
  EXPECT_GT(model.provenance["accuracy"].get<double>(), 0.8);
  EXPECT_EQ(model.provenance["settings"]["optimizer"], "adamw");
  EXPECT_EQ(model.provenance["settings"]["lr_schedule"], "cosine");
}

TEST(CliTrain, SameSeedGivesTheSameWeights) {
  TempDir dir;
  write_band_csv(dir.file("train.csv"), 120, 3);
  std::vector<float> weights[2];
  for (int run = 0; run < 2; ++run) {
    const std::string out = dir.file("m" + std::to_string(run) + ".json");
    const RunResult r =
        run_cli("train --data " + dir.file("train.csv") + " --arch dense:8 --epochs 2 --seed 9 --out " + out);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    weights[run] = load_model_file(out).params().values;
  }
  ASSERT_EQ(weights[0].size(), weights[1].size());
  EXPECT_EQ(std::memcmp(weights[0].data(), weights[1].data(), weights[0].size() * sizeof(float)), 0);
}

TEST(CliTrain, JsonArchitectureFromAFile) {
  TempDir dir;
  write_band_csv(dir.file("train.csv"), 150, 4);
  write_text(dir.file("arch.json"), R"({"layers": [{"type": "flatten"}, {"type": "dense", "units": 6},
                                                  {"type": "tanh"}]})");
  const RunResult r = run_cli("train --data " + dir.file("train.csv") + " --arch " + dir.file("arch.json") +
                              " --epochs 2 --out " + dir.file("m.json"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Model model = load_model_file(dir.file("m.json"));
  ASSERT_EQ(model.num_layers(), 4);
  EXPECT_EQ(model.layer(2).type(), "tanh");
  EXPECT_EQ(model.provenance["arch"], "dense:6:tanh");
}

}  // namespace
}  // namespace distillery::testing
