// `sidreasoner sft`: Stage 1 alignment SFT / Stage 2 reasoning activation. With --nproc N (or auto) the command
// re-runs itself as N local data-parallel ranks; under torchrun-style variables it is one rank.
#include <cstdlib>
#include <algorithm>
#include <memory>
#include <thread>

#include <fmt/format.h>

#include "cli/command.h"
#include "cli/option_fields.h"
#include "train/launcher.h"
#include "train/sft.h"

namespace sidr::cli {
namespace {

void run(train::SftOptions options) {
  if (!train::launched_as_rank()) {
    options.resolve_stage_defaults();
    options.validate();
    int nproc = options.nproc > 0 ? options.nproc : train::auto_local_ranks(options);
    int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    int threads = options.threads > 0 ? options.threads : std::max(1, cores / nproc);
    // libgomp reads OMP_WAIT_POLICY at start-up, so a multi-threaded single process is re-run with it set too.
    bool needs_wait_policy = threads > 1 && options.device == "cpu" && std::getenv("OMP_WAIT_POLICY") == nullptr;
    if (nproc > 1 || needs_wait_policy) {
      auto args = train::own_command_line();
      args.erase(args.begin());  // the program; the launcher runs /proc/self/exe
      // OpenMP threads that sleep instead of spinning when idle: 2.6x faster on 2 shared cores (docs/train.md).
      int code = train::launch_local_ranks(nproc, args, {{"OMP_WAIT_POLICY", "PASSIVE"}});
      if (code != 0) std::exit(code);
      return;
    }
  }
  int code = train::run_sft(options);
  if (code != 0) std::exit(code);
}

void setup(CLI::App& root) {
  auto options = std::make_shared<train::SftOptions>();
  auto* cmd = root.add_subcommand("sft", "Supervised fine-tuning: Stage 1 alignment (T1-T8) or Stage 2 reasoning");
  add_option_fields(cmd, *options);
  cmd->callback([options] { run(*options); });
}

}  // namespace
SIDR_COMMAND(50, setup);
}  // namespace sidr::cli
