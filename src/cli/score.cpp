// `sidreasoner score`: log p(token | prefix) for every position after the first, one per line; the tool for
// checking a checkpoint against another implementation.
#include <string>

#include <fmt/format.h>

#include "cli/command.h"
#include "cli/model_options.h"
#include "model/checkpoint.h"

namespace sidr::cli {
namespace {

// log p(ids[t] | ids[:t]) for t = 1..T-1: one full forward (no cache), fp32 log-softmax, as float64.
std::vector<double> score_tokens(model::Qwen3& model, const std::vector<std::int64_t>& ids) {
  if (ids.size() < 2) throw InputError("score: need at least two token ids");
  for (auto id : ids)
    if (id < 0 || id >= model->config().vocab_size)
      throw InputError(fmt::format("token id {} is outside the vocabulary [0, {})", id, model->config().vocab_size));
  torch::NoGradGuard no_grad;
  model->eval();
  auto input = torch::tensor(ids, torch::kInt64).view({1, -1}).to(model->device());         // (1, T)
  auto logits = model->forward(input, torch::ones_like(input)).to(torch::kFloat32)[0];      // (T, V)
  auto log_probs = logits.log_softmax(-1).narrow(0, 0, input.size(1) - 1);                  // (T-1, V)
  auto targets = input[0].narrow(0, 1, input.size(1) - 1).unsqueeze(1);                    // (T-1, 1)
  auto picked = log_probs.gather(1, targets).squeeze(1).to(torch::kCPU, torch::kFloat64);
  return std::vector<double>(picked.data_ptr<double>(), picked.data_ptr<double>() + picked.numel());
}

struct ScoreArgs {
  std::string model_dir;
  std::string ids;
  model::RuntimeOptions runtime;
};

void run(const ScoreArgs& args) {
  args.runtime.validate();
  args.runtime.apply();
  auto ids = parse_ids(args.ids, "--ids");
  auto model = model::load_model(args.model_dir, args.runtime.torch_device(), args.runtime.torch_dtype());
  for (double lp : score_tokens(model, ids)) fmt::print("{:.9g}\n", lp);
}

void setup(CLI::App& root) {
  auto args = std::make_shared<ScoreArgs>();
  auto* cmd = root.add_subcommand("score", "Print log p(token | prefix) for each token id after the first");
  cmd->add_option("--model", args->model_dir, "checkpoint directory (HF layout)")->required();
  cmd->add_option("--ids", args->ids, "token ids, e.g. \"1 5 42\"")->required();
  add_runtime_options(cmd, args->runtime);
  cmd->callback([args] { run(*args); });
}

}  // namespace
SIDR_COMMAND(61, setup);
}  // namespace sidr::cli
