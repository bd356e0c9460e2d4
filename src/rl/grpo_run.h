// `sidreasoner rl`: Stage 3 GRPO over a checkpoint, SIDReasoner's (reasoning prompts, sampled rollouts, step-rule
// reward, clipped loss) or MiniOneRec's (plain prompts, trie-constrained beams, ranking reward, no-clip loss,
// reference refreshed by mixing). Data-parallel over c10d ranks like sft (prompts split by rank, gradients
// all-reduced); checkpoints hold the weights, AdamW state, reference weights (when mixing), RNG and data cursor.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>

#include "util/json.h"
#include "util/common_option_fields.h"

namespace sidr::rl {

struct RlOptions {
  std::string algo = "sidreasoner";       // sidreasoner | minionerec
  std::filesystem::path model;            // HF checkpoint directory with tokenizer.json (the SFT result)
  std::filesystem::path data = opts::kDefaultDataRoot;  // dataset root
  std::string dataset = opts::kDefaultDataset;
  std::filesystem::path out;
  std::string reward;                     // "" = the algorithm's: step_rule | ranking (or rule, exact, sasrec)
  std::filesystem::path sasrec;           // the `baseline sasrec` run of the sasrec reward
  std::string rollout;                    // "" = the algorithm's: sample | beam
  std::int64_t steps = 100;               // RL steps (one optimizer step each)
  std::int64_t prompts = 8;               // prompts per step over all ranks
  int group = 16;                         // completions per prompt (G)
  double temperature = 1.0;
  int max_new_tokens = 0;                 // 0 = the algorithm's: 1024 | 128
  double lr = 0.0;                        // 0 = the algorithm's: 5e-7 | 1e-5 (constant)
  double weight_decay = 0.01;
  double max_grad_norm = -1.0;            // < 0 = the algorithm's: 1.0 | 0.3
  double kl_coef = -1.0;                  // < 0 = the algorithm's: 0.001 | 0.001
  double adv_eps = -1.0;                  // < 0 = the algorithm's: 1e-6 | 1e-4
  double clip = 0.2;                      // SIDReasoner's ratio clip
  double dual_clip = 3.0;
  int micro_batch = 8;
  std::int64_t ref_sync_steps = -1;       // < 0 = the algorithm's: 0 (frozen) | 512; 0 = never
  double ref_alpha = 0.6;                 // reference <- alpha * policy + (1 - alpha) * reference
  std::string style = "reference";        // prompt style the model was trained with (reference | compact)
  std::string prompt_style = "reference"; // plain prompts: reference | training
  std::int64_t max_rows = 0;              // use the first N train rows (0 = all)
  std::int64_t eval_steps = 0;            // greedy validation every N steps (0 = only at the end if eval_rows)
  std::int64_t eval_rows = 0;             // valid rows for the greedy validation (0 = none)
  std::int64_t save_steps = 50;
  std::int64_t keep_checkpoints = 2;
  std::uint64_t seed = 42;
  bool resume = false;
  int nproc = 1;
  std::string device = "cpu";
  std::string dtype = "float32";
  int threads = 0;
  bool progress = true;
  std::filesystem::path dump_rollouts;    // rank 0 appends each step's prompts, completions, rewards (JSONL)

  void resolve_defaults();  // fills the algorithm's defaults
  void validate() const;    // InputError naming the option
  Json to_json() const;
};

int run_rl(RlOptions options);

}  // namespace sidr::rl
