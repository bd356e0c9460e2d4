// `sidreasoner sft`: Stage 1 alignment SFT / Stage 2 reasoning activation. With --nproc N (or auto) the command
// re-runs itself as N local data-parallel ranks; under torchrun-style variables it is one rank.
#include <cstdlib>
#include <algorithm>
#include <memory>
#include <thread>

#include <fmt/format.h>

#include "cli/command.h"
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
  auto& o = *options;
  cmd->add_option("--stage", o.stage, "1: alignment tasks; 2: reasoning activation")->capture_default_str();
  cmd->add_option("--data", o.data, "dataset root in the reference layout")->capture_default_str();
  cmd->add_option("--dataset", o.dataset, "dataset (category) name")->capture_default_str();
  cmd->add_option("--model", o.model, "HF checkpoint directory, or a model config .json to train from scratch")
      ->required();
  cmd->add_option("--tokenizer", o.tokenizer, "tokenizer.json (required with a model config)");
  cmd->add_option("--out", o.out, "run directory (metrics.jsonl, checkpoints/, final_checkpoint/)")->required();
  cmd->add_option("--epochs", o.epochs, "epochs (default 10 for Stage 1, 5 for Stage 2)");
  cmd->add_option("--lr", o.lr, "peak learning rate (default 3e-4 / 1e-5)");
  cmd->add_option("--warmup", o.warmup, "warmup steps (default 20 / 10)");
  cmd->add_option("--patience", o.patience, "early-stopping patience in epochs, 0 = off (default 3 / 5)");
  cmd->add_option("--batch", o.batch, "global batch in sequences, over all ranks")->capture_default_str();
  cmd->add_option("--micro-batch", o.micro_batch, "sequences per forward on one rank")->capture_default_str();
  cmd->add_option("--schedule", o.schedule, "linear | cosine | constant (after warmup)")->capture_default_str();
  cmd->add_option("--weight-decay", o.weight_decay, "AdamW weight decay")->capture_default_str();
  cmd->add_option("--max-grad-norm", o.max_grad_norm, "global-norm clipping, 0 = off")->capture_default_str();
  cmd->add_option("--cutoff", o.cutoff, "keep the last N tokens of a sample")->capture_default_str();
  cmd->add_option("--seed", o.seed, "seed of initialisation, task draws and shuffling")->capture_default_str();
  cmd->add_option("--save-steps", o.save_steps, "also checkpoint every N steps (0: at epoch ends only)")
      ->capture_default_str();
  cmd->add_option("--keep-checkpoints", o.keep_checkpoints, "step checkpoints kept")->capture_default_str();
  cmd->add_option("--max-steps", o.max_steps, "pause (with a checkpoint) after N steps in this run")
      ->capture_default_str();
  cmd->add_option("--max-minutes", o.max_minutes,
                  "training-time budget in minutes (0: none): the schedule follows steps or time, whichever is "
                  "further along; when spent, training ends with validation and the final model")
      ->capture_default_str();
  cmd->add_option("--max-samples", o.max_samples, "train on the first N samples of the shuffled set (0: all)")
      ->capture_default_str();
  cmd->add_option("--max-eval-samples", o.max_eval_samples, "first N samples of each validation set (0: all)")
      ->capture_default_str();
  cmd->add_option("--eval-batch", o.eval_batch, "sequences per validation forward")->capture_default_str();
  cmd->add_option("--style", o.style, "prompt style: reference | compact | sequence")->capture_default_str();
  cmd->add_option("--weights", o.weights, "task mixing weights, e.g. T1=1,T4=0.5,T6=0 (Stage 1)");
  cmd->add_option("--plain-weight", o.plain_weight,
                  "Stage 2: plain T1 samples (the Stage 1 prompt, empty think block) beside the reasoning ones, "
                  "W copies (a fraction is a seeded subset); keeps the non-thinking mode alive (0: reasoning only)")
      ->capture_default_str();
  cmd->add_option("--augment", o.augment,
                  "per-epoch augmentation of sequence-style samples: crop=P (start at a random later item with "
                  "probability P), drop=Q (leave out each context item with probability Q); e.g. crop=0.3,drop=0.1");
  cmd->add_option("--ema", o.ema, "decay of the weights' moving average used for validation and the saved model, "
                                  "e.g. 0.99 (0: off)")
      ->capture_default_str();
  cmd->add_option("--item-corpus", o.item_corpus, "T6 item corpus (default: the reference location if present)");
  cmd->add_option("--user-corpus", o.user_corpus, "T7 / Stage 2 narrative CSV (default: the reference location)");
  cmd->add_option("--general", o.general_chats, "T8 general reasoning chats (JSONL)");
  cmd->add_option("--save-samples", o.save_samples, "also write the encoded training samples as JSONL");
  cmd->add_flag("--resume", o.resume, "continue the run in --out from its newest checkpoint");
  cmd->add_flag("!--no-progress", o.progress, "no progress bar");
  cmd->add_option("--device", o.device, "cpu, cuda or cuda:N")->capture_default_str();
  cmd->add_option("--dtype", o.dtype, "float32 | bfloat16 | float16 (CUDA)")->capture_default_str();
  cmd->add_option("--threads", o.threads, "intra-op threads per rank (0: cores / local ranks)")
      ->capture_default_str();
  cmd->add_option("--nproc", o.nproc, "local data-parallel ranks (0: one per core when replicas fit in memory)")
      ->capture_default_str();
  cmd->callback([options] { run(*options); });
}

}  // namespace
SIDR_COMMAND(50, setup);
}  // namespace sidr::cli
