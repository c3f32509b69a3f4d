// The flag parser itself: a choice flag's default is written once, where the
// flag is declared, and reading a flag nobody declared is a clear error.
#include <gtest/gtest.h>

#include "cli/args.h"
#include "engine/core/error.h"
#include "engine/losses/losses.h"

namespace distillery {
namespace {

ArgParser parsed(const std::vector<std::string>& given) {
  ArgParser args("distill", "test");
  args.add_named("--loss", "KIND", loss_names(), LossKind::kLogitMse);
  EXPECT_TRUE(args.parse(given));
  return args;
}

TEST(CliArgs, ANamedFlagReadsTheDefaultItWasDeclaredWith) {
  EXPECT_EQ(parsed({}).get_named("--loss", loss_names()), LossKind::kLogitMse);
  EXPECT_EQ(parsed({"--loss", "dkd"}).get_named("--loss", loss_names()), LossKind::kDecoupled);
  EXPECT_NE(parsed({}).help_text().find("[default: mse]"), std::string::npos) << parsed({}).help_text();
}

TEST(CliArgs, ANamedFlagRefusesANameOutsideItsTableAndAnUndeclaredFlagIsAnError) {
  try {
    parsed({"--loss", "l1"}).get_named("--loss", loss_names());
    FAIL() << "l1 was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("--loss: 'l1' is not one of ", 0), 0u) << e.what();
  }
  try {
    parsed({}).get_named("--lsos", loss_names());
    FAIL() << "an undeclared flag was read";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "--lsos: read but never declared");
  }
}

}  // namespace
}  // namespace distillery
