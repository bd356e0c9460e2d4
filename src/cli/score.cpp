// `sidreasoner score`: log p(token | prefix) for every position after the first, one per line; the tool for
// checking a checkpoint against another implementation.
#include <string>

#include <fmt/format.h>

#include "cli/command.h"
#include "cli/model_options.h"
#include "model/checkpoint.h"
#include "model/generate.h"

namespace sidr::cli {
namespace {

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
  for (double lp : model::score_tokens(model, ids)) fmt::print("{:.9g}\n", lp);
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
