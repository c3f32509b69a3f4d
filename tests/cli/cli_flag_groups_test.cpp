// Flags that several commands share are declared and read once
// (src/cli/flag_groups.h), so each command refuses the same bad value with
// the same words, and a flag one command takes the others take too.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli_test_support.h"
#include "engine/io/model_json.h"
#include "engine/io/tfjs_quantization.h"
#include "engine/losses/losses.h"
#include "engine/optim/optimizer.h"
#include "engine/prune/prune_choices.h"
#include "engine/quant/quant_mode.h"
#include "engine/train/trainer.h"

namespace distillery {
namespace {

using namespace distillery::testing;

// The one stderr line of a refused run.
std::string refusal(const std::string& args) {
  const RunResult r = run_cli(args);
  EXPECT_EQ(r.exit_code, 1) << args;
  const auto lines = r.err_lines();
  EXPECT_EQ(lines.size(), 1u) << args << "\n" << r.err;
  return lines.empty() ? "" : lines[0];
}

TEST(CliFlagGroups, TrainingAndFineTuningRefuseABadStepFlagAlike) {
  TempDir dir;
  const std::string model = train_quick_model(dir);
  const std::string data = " --data " + dir.file("quick_train.csv") + " --out " + dir.file("x.json");
  const std::string train = "train --arch dense:4" + data;
  const std::string distill = "distill --arch dense:4 --teacher " + model + data;
  const std::string prune = "prune --model " + model + " --method global --sparsity 0.5 --finetune-epochs 1" + data;
  for (const std::string bad : {"--weight-decay 2", "--lr 0", "--optimizer rmsprop", "--lr-schedule step",
                                "--val-split 0.95", "--seed -1", "--weights-encoding hex"}) {
    const std::string words = refusal(train + " " + bad);
    EXPECT_EQ(words.rfind("distillery: " + bad.substr(0, bad.find(' ')) + ": ", 0), 0u) << words;
    EXPECT_EQ(refusal(distill + " " + bad), words) << bad;
    EXPECT_EQ(refusal(prune + " " + bad), words) << bad;
  }
  // Every command that writes a Distillery file reads --weights-encoding by the engine's one name table.
  const std::string hex = refusal(train + " --weights-encoding hex");
  EXPECT_EQ(refusal("convert --in " + model + " --out " + dir.file("c.json") + " --weights-encoding hex"), hex);
  EXPECT_EQ(refusal("quantize --model " + model + " --mode float16 --out " + dir.file("q.json") +
                    " --weights-encoding hex"),
            hex);
  // Prune's fine-tuning takes the weight decay training takes, and records it with its settings.
  const RunResult decayed = run_cli(prune + " --weight-decay 0.25 --optimizer adamw --json");
  ASSERT_EQ(decayed.exit_code, 0) << decayed.err;
  EXPECT_FLOAT_EQ(nlohmann::json::parse(decayed.out)["settings"]["weight_decay"].get<float>(), 0.25f);
}

TEST(CliFlagGroups, SoftTargetFlagsAreRefusedAlikeByDistillAndPrune) {
  TempDir dir;
  const std::string model = train_quick_model(dir);
  const std::string data = " --data " + dir.file("quick_train.csv") + " --out " + dir.file("x.json");
  const std::string distill = "distill --arch dense:4 --teacher " + model + data;
  const std::string prune = "prune --model " + model + " --method global --sparsity 0.5 --teacher " + model + data;
  for (const std::string bad : {"--alpha 1.5", "--temperature abc"}) {
    const std::string words = refusal(distill + " " + bad);
    EXPECT_NE(words.find(bad.substr(0, bad.find(' ')) + ": expected a number"), std::string::npos) << words;
    EXPECT_EQ(refusal(prune + " " + bad), words) << bad;
  }
}

TEST(CliFlagGroups, OneClassDataIsRefusedAlikeByTrainAndDistill) {
  TempDir dir;
  const std::string model = train_quick_model(dir);
  const std::string one = dir.file("one.csv");
  // "top" is one of the teacher's classes, so distill gets past matching classes to the count.
  write_text(one, "top,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,"
                  "33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59,60,61,62,63,64\n"
                  "top,9,9,9,9,9,9,9,9,9,9,9,9,9,9,9,9,9,9,9,9,9,9,9,9,9,9,9,9,9,9,9,9,"
                  "9,9,9,9,9,9,9,9,9,9,9,9,9,9,9,9,9,9,9,9,9,9,9,9,9,9,9,9,9,9,9,9\n");
  const std::string words = refusal("train --arch dense:4 --data " + one + " --out " + dir.file("x.json"));
  EXPECT_EQ(words, "distillery: " + one + ": the dataset has only one class ('top'); a classifier needs at least two");
  EXPECT_EQ(refusal("distill --arch dense:4 --teacher " + model + " --data " + one + " --out " + dir.file("x.json")),
            words);
}

// The help of a flag naming a closed set lists the engine's table, so a
// name added to the engine shows in --help without anyone editing the CLI.
TEST(CliFlagGroups, ChoiceFlagsListTheEngineNameTables) {
  struct Case {
    std::string command, flag, listing;
  };
  const std::vector<Case> cases = {
      {"train", "--optimizer", optimizer_names().listing()},
      {"train", "--lr-schedule", lr_schedule_names().listing()},
      {"train", "--weights-encoding", weights_encoding_names().listing()},
      {"distill", "--loss", loss_names().listing()},
      {"distill", "--teacher-mode", teacher_mode_names().listing()},
      {"prune", "--method", prune_method_names().listing()},
      {"prune", "--schedule", prune_schedule_names().listing()},
      {"prune", "--criterion", norm_criterion_names().listing()},
      {"quantize", "--mode", quant_mode_names().listing()},
      {"quantize", "--calibration-method", calibration_method_names().listing()},
      {"convert", "--tfjs-weights", tfjs_weight_dtype_names().listing()},
  };
  for (const Case& c : cases) {
    const RunResult r = run_cli(c.command + " --help");
    ASSERT_EQ(r.exit_code, 0) << c.command;
    // The flag's entry: from its name to the next flag's.
    const size_t at = r.out.find("  " + c.flag + " ");
    ASSERT_NE(at, std::string::npos) << c.command << " " << c.flag;
    const std::string entry = r.out.substr(at, r.out.find("\n  --", at + 1) - at);
    EXPECT_NE(entry.find(c.listing), std::string::npos) << c.command << " " << c.flag << ": " << entry;
  }
}

}  // namespace
}  // namespace distillery
