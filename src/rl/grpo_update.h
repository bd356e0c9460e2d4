// One GRPO policy update from a step's rollouts: the completions are cut into micro-batches (prompt + completion,
// the completion tokens labelled), the frozen reference's log-probs are computed first, then train::Updater runs
// one optimizer step whose loss is SIDReasoner's (clipped, dual clip, token-mean per micro-batch, averaged over
// micro-batches) or MiniOneRec's (no clip, sequence mean). One update per rollout: the old log-probs are the
// policy's own at the same weights (verl recomputes them with those weights; the ratio is 1 in value).
#pragma once
#include <cstdint>
#include <vector>

#include "decode/step_model.h"
#include "rl/grpo_loss.h"
#include "train/batching.h"
#include "train/causal_lm.h"
#include "train/distributed.h"
#include "train/updater.h"

namespace sidr::rl {

enum class Algo { SidReasoner, MiniOneRec };
Algo parse_algo(const std::string& name);  // InputError naming --algo
const char* algo_name(Algo algo);

struct UpdateOptions {
  Algo algo = Algo::SidReasoner;
  ClipOptions clip;
  double kl_coef = 0.001;  // SIDReasoner's kl_loss_coef; MiniOneRec's beta
  int micro_batch = 8;     // completions per forward pass
  decode::TokenId pad_id = 0;
};

// One completion to learn from.
struct Trajectory {
  const std::vector<decode::TokenId>* prompt = nullptr;  // not owned
  const std::vector<decode::TokenId>* completion = nullptr;
  double advantage = 0.0;
};

struct UpdateReport {
  train::StepReport step;    // loss, grad norm, lr (over all ranks)
  double kl = 0.0;           // token mean of the k3 KL over every rank's completion tokens
  double entropy = 0.0;      // token mean of the policy's entropy at the completion tokens (exact, full vocabulary)
  double tokens = 0.0;       // completion tokens over all ranks
  double reference_seconds = 0.0;  // this rank's time in the reference forward passes
  double update_seconds = 0.0;     // this rank's time in the policy forward/backward passes and the optimizer step
};

// log pi(token | prefix) of every labelled token of the batch (row-major), with its graph, and (detached) the
// entropy of the distribution it was drawn from: the same gather as train::labelled_token_log_probs.
struct TokenLogProbs {
  torch::Tensor log_probs;  // (N) float32
  torch::Tensor entropy;    // (N) float32, no graph
};
TokenLogProbs completion_log_probs(train::CausalLm& model, const train::Batch& batch, bool with_entropy);

// The samples of a list of trajectories: prompt + completion, labels on the completion only.
std::vector<train::Sample> trajectory_samples(const std::vector<Trajectory>& trajectories);

UpdateReport grpo_update(train::CausalLm& policy, train::CausalLm& reference, train::Updater& updater,
                         train::Distributed* distributed, const std::vector<Trajectory>& trajectories,
                         const UpdateOptions& options, std::int64_t schedule_step);

}  // namespace sidr::rl
