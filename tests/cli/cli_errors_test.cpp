// Help and bad input: --help exits 0; every error is one line
// "distillery: <file or --flag>: <problem>" on stderr, nothing on stdout, exit 1.
#include <gtest/gtest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "cli_test_support.h"

namespace distillery::testing {
namespace {

void expect_one_line_error(const RunResult& r, const std::string& names, const std::string& problem) {
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  const auto lines = r.err_lines();
  ASSERT_EQ(lines.size(), 1u) << r.err;
  EXPECT_EQ(lines[0].rfind("distillery: " + names, 0), 0u) << lines[0];
  EXPECT_NE(lines[0].find(problem), std::string::npos) << lines[0] << "\nexpected: " << problem;
}

TEST(CliHelp, EveryCommandHasHelpAndExitsZero) {
  for (const char* command : {"train", "distill", "eval", "predict"}) {
    const RunResult r = run_cli(std::string(command) + " --help");
    EXPECT_EQ(r.exit_code, 0) << command;
    EXPECT_EQ(r.out.rfind(std::string("usage: distillery ") + command, 0), 0u) << r.out;
    EXPECT_EQ(r.err, "");
  }
  const RunResult top = run_cli("--help");
  EXPECT_EQ(top.exit_code, 0);
  for (const char* command : {"train", "distill", "eval", "predict"})
    EXPECT_NE(top.out.find(std::string("  ") + command), std::string::npos);
  EXPECT_NE(run_cli("distill --help").out.find("--temperature T"), std::string::npos);
  EXPECT_NE(run_cli("eval --help").out.find("--json"), std::string::npos);
  EXPECT_EQ(run_cli("").exit_code, 1);  // no command: help on stderr, exit 1
}

TEST(CliErrors, FlagsAndCommands) {
  TempDir dir;
  write_band_csv(dir.file("d.csv"), 30, 1);
  const std::string data = " --data " + dir.file("d.csv");
  const std::string out = " --out " + dir.file("m.json");
  expect_one_line_error(run_cli("frobnicate"), "unknown command 'frobnicate'", "commands: train");
  expect_one_line_error(run_cli("train" + data + " --arch dense:4 --colour red" + out), "--colour:", "unknown flag");
  expect_one_line_error(run_cli("train" + data + out), "--arch:", "required");
  expect_one_line_error(run_cli("train --arch dense:4" + out), "--data:", "required");
  expect_one_line_error(run_cli("train" + data + " --arch dense:4 --epochs abc" + out), "--epochs:",
                        "expected a whole number");
  expect_one_line_error(run_cli("train" + data + " --arch dense:4 --lr -1" + out), "--lr:", "expected a number");
  expect_one_line_error(run_cli("train" + data + " --arch dense:4 --optimizer rmsprop" + out), "--optimizer:",
                        "'rmsprop' is not one of adam, adamw, sgd");
  expect_one_line_error(run_cli("train" + data + " --arch dense:4 --epochs 2 --epochs 3" + out), "--epochs:",
                        "given twice");
  expect_one_line_error(run_cli("train" + data + " --arch dense:4 --out"), "--out:", "needs a value");
  expect_one_line_error(run_cli("train" + data + " --arch conv:8:3,dense:4,conv3:2" + out), "--arch:",
                        "unknown layer 'conv3' at position 3");
  expect_one_line_error(run_cli("train" + data + " --arch dense:4 stray" + out), "unexpected argument 'stray'", "");
  expect_one_line_error(run_cli("train" + data + " --arch dense:4 --out " + dir.file("no/such/dir/m.json")),
                        dir.file("no/such/dir/m.json") + ":", "does not exist");
  expect_one_line_error(run_cli("distill --teacher x.json" + data + " --arch dense:4 --alpha 2" + out), "--alpha:",
                        "expected a number from 0 to 1");
  expect_one_line_error(run_cli("predict --model m.json"), "expected at least 1 IMAGE", "");
}

TEST(CliErrors, MissingFiles) {
  TempDir dir;
  const std::string missing = dir.file("missing.csv");
  expect_one_line_error(run_cli("train --data " + missing + " --arch dense:4 --out " + dir.file("m.json")),
                        missing + ":", "no such file");
  expect_one_line_error(run_cli("eval --model " + dir.file("nope.json") + " --data " + missing),
                        dir.file("nope.json") + ":", "cannot open");
  const std::string model = train_quick_model(dir);
  expect_one_line_error(run_cli("eval --model " + model + " --data " + missing), missing + ":", "no such file");
  expect_one_line_error(run_cli("predict --model " + model + " " + dir.file("nope.png")), dir.file("nope.png") + ":",
                        "no such file");
  expect_one_line_error(
      run_cli("train --data " + dir.file("quick_train.csv") + " --arch dense:4 --test-data " + missing + " --out " +
              dir.file("m.json")),
      missing + ":", "no such file");
}

TEST(CliErrors, BadModelFiles) {
  TempDir dir;
  const std::string model = train_quick_model(dir);
  const std::string data = " --data " + dir.file("quick_train.csv");

  write_text(dir.file("broken.json"), "{\"format\": \"distillery-model\", \"version\": 1,");
  expect_one_line_error(run_cli("eval --model " + dir.file("broken.json") + data), dir.file("broken.json") + ":",
                        "not valid JSON");

  write_text(dir.file("empty.json"), "");
  expect_one_line_error(run_cli("eval --model " + dir.file("empty.json") + data), dir.file("empty.json") + ":",
                        "empty");

  // A kernel whose shape does not match the layer.
  nlohmann::json doc = nlohmann::json::parse(read_text(model));
  doc["layers"][1]["weights"]["kernel"]["shape"] = {16, 64};
  write_text(dir.file("shape.json"), doc.dump());
  expect_one_line_error(run_cli("predict --model " + dir.file("shape.json") + " x.png"), dir.file("shape.json") + ":",
                        "layer 1 (dense): weights.kernel has shape [16, 64] but the layer needs [64, 16]");

  // A teacher that is not a model at all.
  write_text(dir.file("list.json"), "[1, 2, 3]");
  expect_one_line_error(run_cli("distill --teacher " + dir.file("list.json") + data + " --arch dense:4 --out " +
                                dir.file("s.json")),
                        dir.file("list.json") + ":", "must be a JSON object");
}

TEST(CliErrors, BadData) {
  TempDir dir;
  const std::string out = " --out " + dir.file("m.json");

  // One class only.
  write_text(dir.file("one.csv"), "cat,1,2,3,4\ncat,5,6,7,8\ncat,9,9,9,9\n");
  expect_one_line_error(run_cli("train --data " + dir.file("one.csv") + " --arch dense:4" + out),
                        dir.file("one.csv") + ":", "only one class");

  // A folder with a single class subfolder.
  write_band_png_folder(dir.file("imgs"), 3, 1, 8);
  std::filesystem::remove_all(dir.file("imgs/top"));
  std::filesystem::remove_all(dir.file("imgs/middle"));
  const RunResult single = run_cli("train --data " + dir.file("imgs") + " --arch dense:4" + out);
  expect_one_line_error(single, dir.file("imgs"), "class");

  // An image that does not decode.
  const std::string model = train_quick_model(dir);
  write_text(dir.file("fake.png"), "this is not a png");
  expect_one_line_error(run_cli("predict --model " + model + " " + dir.file("fake.png")), dir.file("fake.png") + ":",
                        "not a supported image");

  // Data whose classes are not the model's.
  write_text(dir.file("other.csv"), "apple,1,2,3,4\npear,5,6,7,8\n");
  expect_one_line_error(run_cli("eval --model " + model + " --data " + dir.file("other.csv")),
                        dir.file("other.csv") + ":", "class 'apple' is not one of the classes of");

  // Malformed CSV.
  write_text(dir.file("ragged.csv"), "a,1,2,3,4\nb,1,2\n");
  const RunResult ragged = run_cli("train --data " + dir.file("ragged.csv") + " --arch dense:4" + out);
  expect_one_line_error(ragged, dir.file("ragged.csv"), "");
  EXPECT_FALSE(std::filesystem::exists(dir.file("m.json")));
}

}  // namespace
}  // namespace distillery::testing
