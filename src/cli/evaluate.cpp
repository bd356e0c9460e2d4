// `sidreasoner evaluate`: constrained beam-search evaluation of a checkpoint (plain or thinking mode).
#include <fmt/format.h>

#include "cli/command.h"
#include "cli/option_fields.h"
#include "eval/evaluate.h"

namespace sidr::cli {
namespace {

void setup(CLI::App& root) {
  auto o = std::make_shared<eval::EvaluateOptions>();
  auto* cmd = root.add_subcommand(
      "evaluate", "Recommend by trie-constrained beam search; write predictions.json and metrics.json");
  auto flags = add_option_fields(cmd, *o);
  flags.at("limit")->check(CLI::Validator(  // std::size_t would take -1 as 2^64-1
      [](std::string& value) {
        return !value.empty() && value[0] == '-' ? "must not be negative (0 = all), got " + value : std::string();
      },
      "N >= 0"));
  cmd->callback([o] {
    auto result = eval::run_evaluation(*o);
    fmt::print("{}\n", result.metrics_json.dump(2));
  });
}

}  // namespace
SIDR_COMMAND(60, setup);
}  // namespace sidr::cli
