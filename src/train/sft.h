// `sidreasoner sft`: Stage 1 alignment SFT and Stage 2 reasoning activation on a dataset in the reference layout,
// from a pretrained HF model directory or from a model config (with a trained tokenizer).
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>

#include "util/json.h"

namespace sidr::train {

struct SftOptions {
  int stage = 1;                            // 1: alignment (T1-T8); 2: reasoning activation
  std::filesystem::path data = "data/Amazon";
  std::string dataset = "Industrial_and_Scientific";
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
  Json to_json() const;
};

// One rank's run (rank and world size from the environment). Returns the process exit code.
int run_sft(SftOptions options);

// Local ranks `auto` picks for these options: the number of cores on CPU when a replica per core fits in half of
// the available memory, else 1.
int auto_local_ranks(const SftOptions& options);

}  // namespace sidr::train
