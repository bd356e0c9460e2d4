// The pipeline's reuse check: a stage whose output exists is reused only when the commands recorded when it
// finished are the stage's commands now.
#include <gtest/gtest.h>

#include <filesystem>

#include "pipeline/runner.h"
#include "util/error.h"
#include "util/file_io.h"

using namespace sidr;
using namespace sidr::pipeline;
namespace fs = std::filesystem;

namespace {

struct ReuseFixture : ::testing::Test {
  fs::path dir = fs::temp_directory_path() / "sidr_runner_test";
  std::vector<Stage> stages = {{"first", "first.done", {{"tasks", "stats", "--epochs", "3"}}},
                               {"second", "second.done", {{"tasks", "stats"}, {"internal", "touch", "x"}}}};
  void SetUp() override {
    fs::remove_all(dir);
    write_file_atomic(dir / "first.done", "");
    write_file_atomic(dir / "second.done", "");
  }
  void TearDown() override { fs::remove_all(dir); }
  Json recorded(const Json& first_commands) {
    return {{"first", {{"status", "done"}, {"commands", first_commands}}},
            {"second", {{"status", "done"}, {"commands", commands_json(stages[1])}}}};
  }
};

}  // namespace

TEST_F(ReuseFixture, SameCommandsAreReused) {
  EXPECT_NO_THROW(check_reusable(stages, {dir, "", false}, recorded(commands_json(stages[0]))));
}

TEST_F(ReuseFixture, ChangedCommandIsRefusedNamingTheDifference) {
  Json old_commands = Json::array({Json::array({"tasks", "stats", "--epochs", "2"})});
  try {
    check_reusable(stages, {dir, "", false}, recorded(old_commands));
    FAIL() << "a changed command was reused";
  } catch (const InputError& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("stage first"), std::string::npos) << message;
    EXPECT_NE(message.find("was '--epochs 2', now '--epochs 3'"), std::string::npos) << message;
    EXPECT_NE(message.find("--from first"), std::string::npos) << message;
  }
}

TEST_F(ReuseFixture, RedoneOrUnfinishedStagesAreNotChecked) {
  Json old_commands = Json::array({Json::array({"tasks", "stats", "--epochs", "2"})});
  EXPECT_NO_THROW(check_reusable(stages, {dir, "first", false}, recorded(old_commands)));  // --from first
  fs::remove(dir / "first.done");
  EXPECT_NO_THROW(check_reusable(stages, {dir, "", false}, recorded(old_commands)));  // not done: will run
}

TEST_F(ReuseFixture, AnExtraOrMissingCommandIsADifference) {
  Json fewer = Json::array({Json::array({"tasks", "stats"})});
  Json timings = recorded(commands_json(stages[0]));
  timings["second"]["commands"] = fewer;
  EXPECT_THROW(check_reusable(stages, {dir, "", false}, timings), InputError);
}
