// The CLI refuses out-of-limit settings with the engine validator's words
// (tests/shared/refusal_cases.h; app_limits_test checks the JS API says the same).
#include <gtest/gtest.h>

#include "cli_test_support.h"
#include "shared/refusal_cases.h"

namespace distillery {
namespace {

using namespace distillery::testing;

TEST(CliLimits, EveryCommandRefusesWithTheEnginesWords) {
  TempDir dir;
  const std::string teacher = train_quick_model(dir);
  const std::string data = " --data " + dir.file("quick_train.csv");
  for (const testing::RefusalCase& c : testing::refusal_cases()) {
    std::string cmd = c.cli_command + data + " " + c.cli_flags + " --out " + dir.file("x.json");
    if (c.cli_command == "train") cmd += " --arch dense:4";
    if (c.cli_command == "distill") cmd += " --arch dense:4 --teacher " + teacher;
    if (c.cli_command == "prune") cmd += " --model " + teacher;
    const RunResult r = run_cli(cmd);
    EXPECT_EQ(r.exit_code, 1) << cmd;
    const auto lines = r.err_lines();
    ASSERT_EQ(lines.size(), 1u) << cmd << "\n" << r.err;
    EXPECT_EQ(lines[0], "distillery: " + c.cli_command + ": " + testing::engine_words(c)) << cmd;
  }
}

}  // namespace
}  // namespace distillery
