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
  cmd->add_option("--algo", o.algo, "sidreasoner | minionerec")->capture_default_str();
  cmd->add_option("--model", o.model, "the SFT checkpoint (HF layout with tokenizer.json)");
  add_data_options(cmd, o.data, o.dataset);
  cmd->add_option("--out", o.out, "run directory (metrics.jsonl, checkpoints/, final_checkpoint/)");
  cmd->add_option("--reward", o.reward, "step_rule | rule | ranking | exact | sasrec (default: step_rule / ranking)");
  cmd->add_option("--sasrec", o.sasrec, "the `baseline sasrec` run directory of --reward sasrec");
  cmd->add_option("--rollout", o.rollout, "sample | beam | constrained-sample (default: sample / beam)");
  cmd->add_option("--steps", o.steps, "RL steps (one optimizer step each)")->capture_default_str();
  cmd->add_option("--prompts", o.prompts, "prompts per step over all ranks")->capture_default_str();
  cmd->add_option("--group", o.group, "completions per prompt (G)")->capture_default_str();
  cmd->add_option("--temperature", o.temperature, "sampling temperature")->capture_default_str();
  cmd->add_option("--max-new-tokens", o.max_new_tokens, "completion budget (default 1024 / 128)");
  cmd->add_option("--lr", o.lr, "constant learning rate (default 5e-7 / 1e-5)");
  cmd->add_option("--weight-decay", o.weight_decay, "AdamW weight decay")->capture_default_str();
  cmd->add_option("--max-grad-norm", o.max_grad_norm, "global-norm clipping, 0 = off (default 1.0 / 0.3)");
  cmd->add_option("--kl-coef", o.kl_coef, "coefficient of the k3 KL to the reference (default 0.001)");
  cmd->add_option("--adv-eps", o.adv_eps, "added to the group std (default 1e-6 / 1e-4)");
  cmd->add_option("--clip", o.clip, "SIDReasoner's ratio clip")->capture_default_str();
  cmd->add_option("--dual-clip", o.dual_clip, "SIDReasoner's dual clip for negative advantages")->capture_default_str();
  cmd->add_option("--micro-batch", o.micro_batch, "completions per forward pass (SIDReasoner's token mean is per "
                                                  "micro-batch)")->capture_default_str();
  cmd->add_option("--ref-sync-steps", o.ref_sync_steps,
                  "mix the policy into the reference every N steps, 0 = frozen (default 0 / 512)");
  cmd->add_option("--ref-alpha", o.ref_alpha, "reference <- alpha * policy + (1 - alpha) * reference")
      ->capture_default_str();
  cmd->add_option("--style", o.style, "prompt style the model was trained with: reference | compact | sequence")
      ->capture_default_str();
  cmd->add_option("--prompt-style", o.prompt_style, "plain prompts: reference | training")->capture_default_str();
  cmd->add_option("--max-rows", o.max_rows, "train on the first N train rows (0: all)")->capture_default_str();
  cmd->add_option("--eval-steps", o.eval_steps, "greedy validation every N steps (0: at the end)")
      ->capture_default_str();
  cmd->add_option("--eval-rows", o.eval_rows, "valid rows of the greedy validation (0: none)")->capture_default_str();
  cmd->add_option("--save-steps", o.save_steps, "checkpoint every N steps (and at the end)")->capture_default_str();
  cmd->add_option("--keep-checkpoints", o.keep_checkpoints, "step checkpoints kept")->capture_default_str();
  cmd->add_option("--seed", o.seed, "seed of the prompt order and the rollouts")->capture_default_str();
  cmd->add_flag("--resume", o.resume, "continue the run in --out from its newest checkpoint");
  add_progress_flag(cmd, o.progress);
  cmd->add_option("--device", o.device, "cpu, cuda or cuda:N")->capture_default_str();
  cmd->add_option("--dtype", o.dtype, "float32 | bfloat16 | float16 (CUDA)")->capture_default_str();
  cmd->add_option("--threads", o.threads, "intra-op threads per rank (0: cores / ranks)")->capture_default_str();
  cmd->add_option("--nproc", o.nproc, "local data-parallel ranks")->capture_default_str();
  cmd->add_option("--dump-rollouts", o.dump_rollouts,
                  "append rank 0's prompts, completions, rewards and advantages of every step to this JSONL file");

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
