// The JS API refuses out-of-limit settings with the engine validator's words
// (tests/shared/refusal_cases.h; cli_limits_test checks the CLI says the same).
#include <gtest/gtest.h>

#include "app/app.h"
#include "app/app_api.h"
#include "shared/refusal_cases.h"

namespace distillery {
namespace {

TEST(AppLimits, EveryMethodRefusesWithTheEnginesWords) {
  NullPlatform platform;
  App app(detect_runtime(), platform);
  AppApi api(app);
  for (const testing::RefusalCase& c : testing::refusal_cases()) {
    const nlohmann::json reply = api.call_json(c.app_method, c.app_options);
    EXPECT_FALSE(reply["ok"]) << c.app_method << " " << c.app_options;
    EXPECT_EQ(reply.value("error", std::string()), c.app_method + ": " + testing::engine_words(c))
        << c.app_options;
  }
}

}  // namespace
}  // namespace distillery
