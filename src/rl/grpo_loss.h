// GRPO's arithmetic: group advantages, the k3 KL estimator and the two policy losses (SIDReasoner's verl GRPO,
// sidreasoner.md §5.3; MiniOneRec's ReReTrainer, minionerec.md §8.4). Token tensors are flat: every completion
// token of a micro-batch in row-major order (what train::labelled_token_log_probs returns), with `sequence`
// giving each token's completion index within the micro-batch.
#pragma once
#include <cstddef>
#include <vector>

#include <torch/torch.h>

namespace sidr::rl {

// A_i = (R_i - mean_g) / (std_g + eps) over consecutive groups of the given sizes, std the unbiased one (N - 1).
// A group of one uses mean 0 and std 1 (verl's rule); a group whose rewards are all equal gets 0.
std::vector<double> group_advantages(const std::vector<double>& rewards, const std::vector<std::size_t>& group_sizes,
                                     double eps);

// k3 ("low_var_kl") per token: d = ref - logp, exp(d) - d - 1. With clamp (verl): d clamped to [-20, 20] and the
// result to [-10, 10]; without (MiniOneRec) as is.
torch::Tensor k3_kl(const torch::Tensor& ref_log_probs, const torch::Tensor& log_probs, bool clamp);

struct ClipOptions {
  double clip_low = 0.2;   // ratio clipped to [1 - clip_low, 1 + clip_high]
  double clip_high = 0.2;
  double dual_clip = 3.0;  // for A < 0 the loss is at most -A * dual_clip
};

// verl's vanilla policy loss per token: ratio = exp(clamp(logp - old, -20, 20)), max(-A r, -A clip(r)), then
// for A < 0 min(that, -A * dual_clip).
torch::Tensor clipped_policy_token_loss(const torch::Tensor& log_probs, const torch::Tensor& old_log_probs,
                                        const torch::Tensor& advantages, const ClipOptions& clip);

struct LossParts {
  torch::Tensor loss;       // 0-dim, with its graph
  double policy = 0.0;      // the policy term's value
  double kl = 0.0;          // the KL term's value (before its coefficient)
};

// SIDReasoner: token-mean of the clipped policy loss + kl_coef * token-mean of the clamped k3 KL, over the
// micro-batch's tokens (verl's "token-mean" per micro-batch).
LossParts sidreasoner_loss(const torch::Tensor& log_probs, const torch::Tensor& old_log_probs,
                           const torch::Tensor& ref_log_probs, const torch::Tensor& advantages,
                           const ClipOptions& clip, double kl_coef);

// MiniOneRec (no clip, one update): loss_t = -(exp(logp - sg(logp)) A - beta KL_t), averaged over each
// completion's tokens and *summed* over the micro-batch's completions (the caller divides by the number of
// completions of the step: the sequence mean). KL is the unclamped k3; `kl` reports the same per-sequence sum.
LossParts minionerec_loss(const torch::Tensor& log_probs, const torch::Tensor& ref_log_probs,
                          const torch::Tensor& advantages, const torch::Tensor& sequence, std::int64_t sequences,
                          double beta);

}  // namespace sidr::rl
