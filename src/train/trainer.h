// Supervised fine-tuning loop: the policy around train::Updater (updater.h: AdamW, warmup + decay schedule,
// gradient accumulation to a global batch, global token-mean loss (HF >= 4.46), global-norm clipping, the gradient
// all-reduce): epochs, the time budget, per-epoch validation with early stopping, the best model, EMA, atomic
// resumable checkpoints, metrics.jsonl, data parallelism over a Distributed group.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "train/batching.h"
#include "train/causal_lm.h"
#include "train/distributed.h"
#include "train/schedule.h"
#include "util/json.h"

namespace sidr::train {

struct TrainerOptions {
  std::filesystem::path out_dir;     // metrics.jsonl, checkpoints/, best/, final_checkpoint/
  std::int64_t epochs = 10;
  std::int64_t global_batch = 1024;  // sequences per optimizer step over all ranks (reference: 1024)
  std::int64_t micro_batch = 1;      // sequences per forward on one rank
  double lr = 3e-4;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.0;
  double max_grad_norm = 1.0;  // <= 0: no clipping
  ScheduleKind schedule = ScheduleKind::Linear;
  std::int64_t warmup_steps = 20;
  std::int64_t patience = 3;          // epochs without improvement of the first eval set's loss; 0: never stop
  std::int64_t save_steps = 0;        // also checkpoint every N optimizer steps (0: only at epoch ends)
  std::int64_t keep_checkpoints = 2;  // newest step checkpoints kept
  std::int64_t max_steps = 0;         // stop after this many optimizer steps in this run (0: no limit; benchmarks)
  // Training-time budget of this invocation in minutes (0: none). The learning-rate schedule follows whichever of
  // steps and elapsed time is further along, and when the time is spent training ends as after a last epoch
  // (validation, best model, final_checkpoint): a fixed-time run still anneals and still keeps its best epoch.
  double max_minutes = 0.0;
  // Exponential moving average of the weights (0: off): validation, the best and the final model use the average.
  double ema_decay = 0.0;
  // The epoch transform passed to fit(), as text (AugmentOptions::to_string): recorded and checked on resume.
  std::string augment = "none";
  std::int64_t eval_batch = 16;       // sequences per eval forward
  std::uint64_t seed = 42;
  std::int64_t pad_id = 0;
  bool progress = true;
  bool resume = false;  // continue from the newest checkpoint in out_dir/checkpoints
  // What made the training samples (sft's --stage, --style, --weights, --max-samples, ...): recorded with the
  // checkpoint and, like the optimizer's options, compared on resume.
  Json samples = Json::object();

  // InputError naming the option on a bad value.
  void validate() const;
  Json to_json() const;
};

// Before anything is written to out_dir: InputError when out_dir holds a run and `resume` is off, or when the
// newest checkpoint was made with other result-changing options than `options` (naming the option and the
// checkpoint's options.json).
void check_resume(const TrainerOptions& options);

// SIGTERM (and SIGINT) asks the training loop to stop after the current step, saving a checkpoint: fit() then
// returns with `interrupted` set, and sft exits with kInterruptedExitCode. Installed by install_stop_handler().
constexpr int kInterruptedExitCode = 143;  // 128 + SIGTERM, what a shell reports for a process SIGTERM ended
void install_stop_handler();
bool stop_requested();

struct EvalSet {
  std::string name;  // "valid" (T1, the early-stopping metric when first), "title2sid", "sid2title"
  std::vector<Sample> samples;
};

// The training samples of one epoch from the base set (same count; a pure function of its arguments, so every
// rank and a resumed run see the same epoch). Empty: every epoch trains on the base set.
using EpochSamples = std::function<std::vector<Sample>(const std::vector<Sample>& train, std::int64_t epoch)>;

struct TrainResult {
  std::int64_t steps = 0;                 // optimizer steps done in total (over resumes)
  std::int64_t epochs_done = 0;
  std::int64_t best_epoch = -1;           // 0-based; -1 without eval sets
  double best_loss = 0.0;
  double last_train_loss = 0.0;
  bool stopped_early = false;
  bool out_of_time = false;               // max_minutes ended training
  bool finished = false;                  // false when max_steps cut the run
  bool interrupted = false;               // SIGTERM: the current step finished, a checkpoint was saved
  std::filesystem::path final_checkpoint;  // empty until the run finishes
};

class Trainer {
 public:
  Trainer(CausalLm& model, Distributed& distributed, TrainerOptions options);

  // Trains on `train` and evaluates `evals` after each epoch (evals[0] drives early stopping and the best epoch).
  // Every rank passes the same samples (each takes its share). Rank 0 writes the files.
  TrainResult fit(const std::vector<Sample>& train, const std::vector<EvalSet>& evals,
                  const EpochSamples& epoch_samples = {});

  // Token-mean loss of a sample set (sharded over ranks).
  double evaluate(const std::vector<Sample>& samples);

 private:
  CausalLm& model_;
  Distributed& distributed_;
  TrainerOptions options_;
};

}  // namespace sidr::train
