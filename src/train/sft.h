// `sidreasoner sft`: Stage 1 alignment SFT and Stage 2 reasoning activation on a dataset in the reference layout,
// from a pretrained HF model directory or from a model config (with a trained tokenizer).
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>

#include "util/common_option_fields.h"
#include "util/json.h"
#include "util/option_fields.h"

namespace sidr::train {

struct SftOptions {
  int stage = 1;                            // 1: alignment (T1-T8); 2: reasoning activation
  std::filesystem::path data = opts::kDefaultDataRoot;
  std::string dataset = opts::kDefaultDataset;
  std::filesystem::path model;              // HF checkpoint directory, or a model config .json (from scratch)
  std::filesystem::path tokenizer;          // tokenizer.json; required with a config, overrides the model dir's
  std::filesystem::path out;
  // Training (defaults: the reference's Stage 1 values; Stage 2 changes the ones marked, unless given).
  std::int64_t epochs = 0;                  // 0: 10 (Stage 1) / 5 (Stage 2)
  double lr = 0.0;                          // 0: 3e-4 / 1e-5
  std::int64_t warmup = -1;                 // -1: 20 / 10
  std::int64_t patience = -1;               // -1: 3 / 5
  std::int64_t batch = 1024;                // global batch in sequences
  std::int64_t micro_batch = 8;             // sequences per forward per rank
  std::string schedule = "linear";
  double weight_decay = 0.0;
  double max_grad_norm = 1.0;
  std::int64_t cutoff = 1024;
  std::uint64_t seed = 42;
  std::int64_t save_steps = 0;
  std::int64_t keep_checkpoints = 2;
  std::int64_t max_steps = 0;               // stop (with a checkpoint) after this many steps in this run
  double max_minutes = 0.0;                 // training-time budget of this run (TrainerOptions::max_minutes)
  std::int64_t max_samples = 0;             // keep the first N training samples (0: all)
  std::int64_t max_eval_samples = 0;        // keep the first N samples of each validation set (0: all)
  std::int64_t eval_batch = 16;
  std::string style = "reference";          // prompt style: reference | compact | sequence
  std::string weights;                      // task mixing weights "T1=1,T4=0.5" (Stage 1)
  double plain_weight = 0.0;                // Stage 2: weight of plain T1 samples beside the reasoning ones
  std::string augment;                      // per-epoch sequence augmentation "crop=P,drop=Q" (style sequence)
  double ema = 0.0;                         // decay of the weights' moving average (0: off)
  std::filesystem::path item_corpus, user_corpus, general_chats;
  std::filesystem::path save_samples;       // write the encoded training samples as JSONL (rank 0), then train
  bool resume = false;
  bool progress = true;
  // Runtime.
  std::string device = "cpu";
  std::string dtype = "float32";
  int threads = 0;                          // intra-op threads per rank; 0: cores / local ranks
  int nproc = 0;                            // local ranks; 0: auto (one per core for small models on CPU)

  void validate() const;  // InputError naming the option
  // Fills the stage-dependent defaults.
  void resolve_stage_defaults();
  // sft_config.json's options: every field of the list below that changes a result.
  Json to_json() const;

  // The field list: `sidreasoner sft`'s flags, in --help order, and what to_json records.
  template <class Self, class Visit>
  static void fields(Self& o, Visit&& visit) {
    using opts::Field, opts::kRequired, opts::kHideDefault, opts::kNotRecorded;
    visit(Field{"stage", "1: alignment tasks; 2: reasoning activation"}, o.stage);
    opts::data_fields(o.data, o.dataset, visit);
    visit(Field{"model", "HF checkpoint directory, or a model config .json to train from scratch", kRequired}, o.model);
    visit(Field{"tokenizer", "tokenizer.json (required with a model config)"}, o.tokenizer);
    visit(Field{"out", "run directory (metrics.jsonl, checkpoints/, final_checkpoint/)", kRequired | kNotRecorded},
          o.out);
    visit(Field{"epochs", "epochs (default 10 for Stage 1, 5 for Stage 2)", kHideDefault}, o.epochs);
    visit(Field{"lr", "peak learning rate (default 3e-4 / 1e-5)", kHideDefault}, o.lr);
    visit(Field{"warmup", "warmup steps (default 20 / 10)", kHideDefault}, o.warmup);
    visit(Field{"patience", "early-stopping patience in epochs, 0 = off (default 3 / 5)", kHideDefault}, o.patience);
    visit(Field{"batch", "global batch in sequences, over all ranks"}, o.batch);
    visit(Field{"micro_batch", "sequences per forward on one rank"}, o.micro_batch);
    visit(Field{"schedule", "linear | cosine | constant (after warmup)"}, o.schedule);
    visit(Field{"weight_decay", "AdamW weight decay"}, o.weight_decay);
    visit(Field{"max_grad_norm", "global-norm clipping, 0 = off"}, o.max_grad_norm);
    visit(Field{"cutoff", "keep the last N tokens of a sample"}, o.cutoff);
    visit(Field{"seed", "seed of initialisation, task draws and shuffling"}, o.seed);
    visit(Field{"save_steps", "also checkpoint every N steps (0: at epoch ends only)"}, o.save_steps);
    visit(Field{"keep_checkpoints", "step checkpoints kept", kNotRecorded}, o.keep_checkpoints);
    visit(Field{"max_steps", "pause (with a checkpoint) after N steps in this run"}, o.max_steps);
    visit(Field{"max_minutes",
                "training-time budget in minutes (0: none): the schedule follows steps or time, whichever is "
                "further along; when spent, training ends with validation and the final model"},
          o.max_minutes);
    visit(Field{"max_samples", "train on the first N samples of the shuffled set (0: all)"}, o.max_samples);
    visit(Field{"max_eval_samples", "first N samples of each validation set (0: all)"}, o.max_eval_samples);
    visit(Field{"eval_batch", "sequences per validation forward"}, o.eval_batch);
    visit(Field{"style", "prompt style: reference | compact | sequence"}, o.style);
    visit(Field{"weights", "task mixing weights, e.g. T1=1,T4=0.5,T6=0 (Stage 1)"}, o.weights);
    visit(Field{"plain_weight",
                "Stage 2: plain T1 samples (the Stage 1 prompt, empty think block) beside the reasoning ones, "
                "W copies (a fraction is a seeded subset); keeps the non-thinking mode alive (0: reasoning only)"},
          o.plain_weight);
    visit(Field{"augment",
                "per-epoch augmentation of sequence-style samples: crop=P (start at a random later item with "
                "probability P), drop=Q (leave out each context item with probability Q); e.g. crop=0.3,drop=0.1"},
          o.augment);
    visit(Field{"ema", "decay of the weights' moving average used for validation and the saved model, e.g. 0.99 "
                       "(0: off)"},
          o.ema);
    visit(Field{"item_corpus", "T6 item corpus (default: the reference location if present)"}, o.item_corpus);
    visit(Field{"user_corpus", "T7 / Stage 2 narrative CSV (default: the reference location)"}, o.user_corpus);
    visit(Field{"general", "T8 general reasoning chats (JSONL)"}, o.general_chats);
    visit(Field{"save_samples", "also write the encoded training samples as JSONL", kNotRecorded}, o.save_samples);
    visit(Field{"resume", "continue the run in --out from its newest checkpoint", kNotRecorded}, o.resume);
    opts::progress_field(o.progress, visit);
    visit(Field{"device", "cpu, cuda or cuda:N"}, o.device);
    visit(Field{"dtype", "float32 | bfloat16 | float16 (CUDA)"}, o.dtype);
    visit(Field{"threads", "intra-op threads per rank (0: cores / local ranks)"}, o.threads);
    visit(Field{"nproc", "local data-parallel ranks (0: one per core when replicas fit in memory)"}, o.nproc);
  }
};

// One rank's run (rank and world size from the environment). Returns the process exit code.
int run_sft(SftOptions options);

// Local ranks `auto` picks for these options: the number of cores on CPU when a replica per core fits in half of
// the available memory, else 1.
int auto_local_ranks(const SftOptions& options);

}  // namespace sidr::train
