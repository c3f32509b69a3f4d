// distillery prune, run as a separate process on a model it trained first:
// unstructured and structured pruning with fine-tuning, the gradual schedule,
// distillation from a teacher, what eval --json then reports, and bad input.
#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "cli_test_support.h"
#include "engine/prune/masks.h"
#include "native/model_files.h"

namespace distillery::testing {
namespace {

void expect_one_line_error(const RunResult& r, const std::string& problem) {
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  const auto lines = r.err_lines();
  ASSERT_EQ(lines.size(), 1u) << r.err;
  EXPECT_EQ(lines[0].rfind("distillery: ", 0), 0u) << lines[0];
  EXPECT_NE(lines[0].find(problem), std::string::npos) << lines[0] << "\nexpected: " << problem;
}

nlohmann::json eval_json(const std::string& model, const std::string& data) {
  const RunResult r = run_cli("eval --model " + model + " --data " + data + " --json");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return nlohmann::json::parse(r.out);
}

TEST(CliPrune, GlobalMagnitudeWithFineTuningReportsAndSavesMasks) {
  TempDir dir;
  const std::string model = train_quick_model(dir, "teacher.json", "dense:32,dense:16");
  write_band_csv(dir.file("test.csv"), 90, 8);
  const RunResult r = run_cli("prune --model " + model + " --data " + dir.file("quick_train.csv") + " --test-data " +
                              dir.file("test.csv") + " --method global --sparsity 0.9 --finetune-epochs 2 --lr 0.005" +
                              " --out " + dir.file("pruned.json"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("finetune epoch 2/2"), std::string::npos) << r.err;
  // The per-layer report and the accuracy before/after.
  EXPECT_NE(r.out.find("kernel before"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("dense   [64, 32]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("accuracy on test"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("before "), std::string::npos) << r.out;

  Model pruned = load_model_file(dir.file("pruned.json"));
  EXPECT_NEAR(global_sparsity(pruned.params()), 0.9, 1e-3);
  const nlohmann::json& p = pruned.provenance["pruning"];
  EXPECT_EQ(p["method"], "global");
  EXPECT_EQ(p["source_file"], model);
  EXPECT_GT(p["accuracy_after"].get<double>(), 0.9);
  EXPECT_EQ(p["evaluation"]["set"], "test");

  // eval --json sees the same parameters stored but 10x fewer non-zero.
  const nlohmann::json before = eval_json(model, dir.file("test.csv"));
  const nlohmann::json after = eval_json(dir.file("pruned.json"), dir.file("test.csv"));
  EXPECT_EQ(after["params"], before["params"]);
  EXPECT_LT(after["nonzero_params"].get<int64_t>(), before["nonzero_params"].get<int64_t>() / 4);
  EXPECT_NEAR(after["accuracy"].get<double>(), p["accuracy_after"].get<double>(), 1e-9);
}

TEST(CliPrune, StructuredWithTeacherGivesASmallerModel) {
  TempDir dir;
  const std::string model = train_quick_model(dir, "teacher.json", "conv:8:3,pool:2,dense:16");
  const RunResult r =
      run_cli("prune --model " + model + " --data " + dir.file("quick_train.csv") +
              " --method structured --sparsity 0.5 --criterion l1 --finetune-epochs 2 --lr 0.005" + " --teacher " +
              model + " --temperature 2 --alpha 0.5 --json --out " + dir.file("small.json"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json report = nlohmann::json::parse(r.out);
  EXPECT_LT(report["params_after"].get<int64_t>(), report["params_before"].get<int64_t>());
  EXPECT_EQ(report["settings"]["criterion"], "l1");
  EXPECT_EQ(report["settings"]["loss"], "kd");
  EXPECT_GE(report["agreement"].get<double>(), 0.8);
  EXPECT_EQ(report["layers"][0]["kernel_after"], nlohmann::json({3, 3, 1, 4}));

  Model small = load_model_file(dir.file("small.json"));
  EXPECT_EQ(small.parameter_count(), report["params_after"].get<int64_t>());
  EXPECT_FALSE(small.params().has_pruning());  // smaller, not masked
  const nlohmann::json eval = eval_json(dir.file("small.json"), dir.file("quick_train.csv"));
  EXPECT_EQ(eval["params"], report["params_after"]);
  EXPECT_EQ(eval["arch"], "conv:4:3,pool:2,dense:8");
}

TEST(CliPrune, PolynomialScheduleReachesTheTargetWhileFineTuning) {
  TempDir dir;
  const std::string model = train_quick_model(dir, "teacher.json", "dense:32");
  const RunResult r = run_cli("prune --model " + model + " --data " + dir.file("quick_train.csv") +
                              " --method magnitude --sparsity 0.8 --schedule polynomial --finetune-epochs 3" +
                              " --batch 16 --out " + dir.file("gradual.json"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("mask update"), std::string::npos) << r.err;
  Model pruned = load_model_file(dir.file("gradual.json"));
  for (int ref : prunable_refs(pruned.params()))
    EXPECT_NEAR(tensor_sparsity(pruned.params(), pruned.params().refs[ref]), 0.8, 0.01);
}

TEST(CliPrune, BadInputIsOneClearLine) {
  TempDir dir;
  const std::string model = train_quick_model(dir);
  const std::string base =
      "prune --model " + model + " --data " + dir.file("quick_train.csv") + " --out " + dir.file("x.json") + " ";
  expect_one_line_error(run_cli(base + "--method global --sparsity 1"), "--sparsity: must be a number in [0, 1)");
  expect_one_line_error(run_cli(base + "--method global --sparsity -0.2"), "--sparsity: must be a number in [0, 1)");
  expect_one_line_error(run_cli(base + "--method global --sparsity lots"), "got 'lots'");
  expect_one_line_error(run_cli(base + "--method lottery --sparsity 0.5"),
                        "--method: 'lottery' is not one of magnitude, global, random, structured");
  expect_one_line_error(run_cli(base + "--method structured --sparsity 0.5 --schedule polynomial --finetune-epochs 1"),
                        "structured pruning uses oneshot or iterative");
  expect_one_line_error(run_cli(base + "--method random --sparsity 0.5 --schedule polynomial"),
                        "at least 1 fine-tuning epoch");
  // Only the logits layer has units: nothing to remove structurally.
  const std::string linear = train_quick_model(dir, "linear.json", "flatten");
  expect_one_line_error(run_cli("prune --model " + linear + " --data " + dir.file("quick_train.csv") +
                                " --method structured --sparsity 0.5 --out " + dir.file("x.json")),
                        "linear.json: the model has nothing to prune structurally");

  // A model without any kernel: flatten straight to 3 class scores.
  Rng rng(1);
  Model bare = Model::from_layer_configs({{{"type", "flatten"}}}, Shape{1, 1, 3}, rng);
  bare.class_names = {"top", "middle", "bottom"};
  save_model_file(dir.file("bare.json"), bare);
  expect_one_line_error(run_cli("prune --model " + dir.file("bare.json") + " --data " + dir.file("quick_train.csv") +
                                " --method magnitude --sparsity 0.5 --out " + dir.file("y.json")),
                        "bare.json: the model has nothing to prune");
  EXPECT_FALSE(std::ifstream(dir.file("x.json")).good());  // nothing written on errors
}

}  // namespace
}  // namespace distillery::testing
