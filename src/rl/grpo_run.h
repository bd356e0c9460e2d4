// `sidreasoner rl`: Stage 3 GRPO over a checkpoint, SIDReasoner's (reasoning prompts, sampled rollouts, step-rule
// reward, clipped loss) or MiniOneRec's (plain prompts, trie-constrained beams, ranking reward, no-clip loss,
// reference refreshed by mixing). Data-parallel over c10d ranks like sft (prompts split by rank, gradients
// all-reduced); checkpoints hold the weights, AdamW state, reference weights (when mixing), RNG and data cursor.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>

#include "util/common_option_fields.h"
#include "util/json.h"
#include "util/option_fields.h"

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
  // rl_config.json's options (and the checkpoint's, compared on resume): every field of the list below that
  // changes a result.
  Json to_json() const;

  // The field list: `sidreasoner rl`'s flags, in --help order, and what to_json records.
  template <class Self, class Visit>
  static void fields(Self& o, Visit&& visit) {
    using opts::Field, opts::kHideDefault, opts::kNotRecorded;
    visit(Field{"algo", "sidreasoner | minionerec"}, o.algo);
    visit(Field{"model", "the SFT checkpoint (HF layout with tokenizer.json)"}, o.model);
    opts::data_fields(o.data, o.dataset, visit);
    visit(Field{"out", "run directory (metrics.jsonl, checkpoints/, final_checkpoint/)", kNotRecorded}, o.out);
    visit(Field{"reward", "step_rule | rule | ranking | exact | sasrec (default: step_rule / ranking)"}, o.reward);
    visit(Field{"sasrec", "the `baseline sasrec` run directory of --reward sasrec"}, o.sasrec);
    visit(Field{"rollout", "sample | beam | constrained-sample (default: sample / beam)"}, o.rollout);
    visit(Field{"steps", "RL steps (one optimizer step each)"}, o.steps);
    visit(Field{"prompts", "prompts per step over all ranks"}, o.prompts);
    visit(Field{"group", "completions per prompt (G)"}, o.group);
    visit(Field{"temperature", "sampling temperature"}, o.temperature);
    visit(Field{"max_new_tokens", "completion budget (default 1024 / 128)", kHideDefault}, o.max_new_tokens);
    visit(Field{"lr", "constant learning rate (default 5e-7 / 1e-5)", kHideDefault}, o.lr);
    visit(Field{"weight_decay", "AdamW weight decay"}, o.weight_decay);
    visit(Field{"max_grad_norm", "global-norm clipping, 0 = off (default 1.0 / 0.3)", kHideDefault},
          o.max_grad_norm);
    visit(Field{"kl_coef", "coefficient of the k3 KL to the reference (default 0.001)", kHideDefault}, o.kl_coef);
    visit(Field{"adv_eps", "added to the group std (default 1e-6 / 1e-4)", kHideDefault}, o.adv_eps);
    visit(Field{"clip", "SIDReasoner's ratio clip"}, o.clip);
    visit(Field{"dual_clip", "SIDReasoner's dual clip for negative advantages"}, o.dual_clip);
    visit(Field{"micro_batch", "completions per forward pass (SIDReasoner's token mean is per micro-batch)"},
          o.micro_batch);
    visit(Field{"ref_sync_steps", "mix the policy into the reference every N steps, 0 = frozen (default 0 / 512)",
                kHideDefault},
          o.ref_sync_steps);
    visit(Field{"ref_alpha", "reference <- alpha * policy + (1 - alpha) * reference"}, o.ref_alpha);
    visit(Field{"style", "prompt style the model was trained with: reference | compact | sequence"}, o.style);
    visit(Field{"prompt_style", "plain prompts: reference | training"}, o.prompt_style);
    visit(Field{"max_rows", "train on the first N train rows (0: all)"}, o.max_rows);
    visit(Field{"eval_steps", "greedy validation every N steps (0: at the end)"}, o.eval_steps);
    visit(Field{"eval_rows", "valid rows of the greedy validation (0: none)"}, o.eval_rows);
    visit(Field{"save_steps", "checkpoint every N steps (and at the end)"}, o.save_steps);
    visit(Field{"keep_checkpoints", "step checkpoints kept", kNotRecorded}, o.keep_checkpoints);
    visit(Field{"seed", "seed of the prompt order and the rollouts"}, o.seed);
    visit(Field{"resume", "continue the run in --out from its newest checkpoint", kNotRecorded}, o.resume);
    opts::progress_field(o.progress, visit);
    visit(Field{"device", "cpu, cuda or cuda:N"}, o.device);
    visit(Field{"dtype", "float32 | bfloat16 | float16 (CUDA)"}, o.dtype);
    visit(Field{"threads", "intra-op threads per rank (0: cores / ranks)"}, o.threads);
    visit(Field{"nproc", "local data-parallel ranks"}, o.nproc);
    visit(Field{"dump_rollouts",
                "append rank 0's prompts, completions, rewards and advantages of every step to this JSONL file",
                kNotRecorded},
          o.dump_rollouts);
  }
};

int run_rl(RlOptions options);

}  // namespace sidr::rl
