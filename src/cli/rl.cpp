// `sidreasoner rl`: Stage 3 GRPO (SIDReasoner's or MiniOneRec's); `sidreasoner rl reward`: score completions by
// hand. With --nproc N the command re-runs itself as N local data-parallel ranks, as sft does.
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "cli/command.h"
#include "cli/option_fields.h"
#include "data/catalog.h"
#include "data/dataset.h"
#include "rl/grpo_run.h"
#include "rl/reward.h"
#include "train/launcher.h"
#include "util/error.h"

namespace sidr::cli {
namespace {

struct RewardCommand {
  std::string data = opts::kDefaultDataRoot, dataset = opts::kDefaultDataset, ground_truth, reward = "step_rule";
};

// One input line: a decoded completion with "\n" written as the two characters \ and n ("\\" for a backslash).
std::string unescape(const std::string& line, std::size_t line_number) {
  std::string out;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] != '\\') {
      out += line[i];
      continue;
    }
    if (i + 1 == line.size())
      throw InputError(fmt::format("<stdin>:{}:{}: a lone backslash at the end of the line", line_number, i + 1));
    char c = line[++i];
    if (c == 'n') out += '\n';
    else if (c == 't') out += '\t';
    else if (c == '\\') out += '\\';
    else
      throw InputError(fmt::format("<stdin>:{}:{}: unknown escape \\{} (\\n, \\t and \\\\ are known)", line_number,
                                   i, c));
  }
  return out;
}

void run_reward(const RewardCommand& o) {
  if (o.data.empty() || o.dataset.empty()) throw InputError("option --data and --dataset are required");
  if (o.ground_truth.empty()) throw InputError("option --ground-truth: a SID such as <a_1><b_2><c_3> is required");
  auto catalog = data::Catalog::load(data::DatasetPaths{o.data, o.dataset});
  auto reward = rl::make_reward(o.reward, catalog.distinct_sids());
  rl::RewardGroup group;
  group.ground_truth = o.ground_truth;
  std::string line;
  for (std::size_t n = 1; std::getline(std::cin, line); ++n) group.completions.push_back(unescape(line, n));
  // One group: the rank-dependent rewards (ranking) read the lines as one group in rank order.
  for (double value : rl::checked_score(*reward, group)) fmt::print("{}\n", value);
}

void run_training(rl::RlOptions options) {
  if (!train::launched_as_rank()) {
    options.resolve_defaults();
    options.validate();
    if (options.nproc > 1) {
      auto args = train::own_command_line();
      args.erase(args.begin());
      int code = train::launch_local_ranks(options.nproc, args, {{"OMP_WAIT_POLICY", "PASSIVE"}});
      if (code != 0) std::exit(code);
      return;
    }
  }
  int code = rl::run_rl(options);
  if (code != 0) std::exit(code);
}

void setup(CLI::App& root) {
  auto options = std::make_shared<rl::RlOptions>();
  auto& o = *options;
  auto* cmd = root.add_subcommand("rl", "Stage 3 GRPO: SIDReasoner's (reasoning prompts, sampled rollouts, step "
                                        "rule) or MiniOneRec's (plain prompts, constrained beams, ranking reward)");
  cmd->require_subcommand(0, 1);
  add_option_fields(cmd, o);

  auto reward = std::make_shared<RewardCommand>();
  auto* sub = cmd->add_subcommand("reward", "Score completions read from stdin (one per line, \\n escaped) against "
                                            "a ground-truth SID; prints one reward per line");
  add_data_options(sub, reward->data, reward->dataset);
  sub->add_option("--ground-truth", reward->ground_truth, "the target SID, e.g. <a_1><b_2><c_3>")->required();
  sub->add_option("--reward", reward->reward, "step_rule | rule | ranking | exact (the lines form one group)")
      ->capture_default_str();
  sub->callback([reward] { run_reward(*reward); });
  cmd->callback([cmd, sub, options] {
    if (sub->parsed()) return;
    run_training(*options);
  });
}

}  // namespace
SIDR_COMMAND(55, setup);
}  // namespace sidr::cli
