#include "rl/grpo_loss.h"

#include <cmath>
#include <stdexcept>

namespace sidr::rl {

std::vector<double> group_advantages(const std::vector<double>& rewards, const std::vector<std::size_t>& group_sizes,
                                     double eps) {
  std::vector<double> out(rewards.size());
  std::size_t begin = 0;
  for (std::size_t size : group_sizes) {
    if (size == 0 || begin + size > rewards.size())
      throw std::invalid_argument("group_advantages: group sizes do not cover the rewards");
    double mean = 0.0, stdev = 1.0;
    if (size > 1) {
      for (std::size_t i = begin; i < begin + size; ++i) mean += rewards[i];
      mean /= static_cast<double>(size);
      double squares = 0.0;
      for (std::size_t i = begin; i < begin + size; ++i) squares += (rewards[i] - mean) * (rewards[i] - mean);
      stdev = std::sqrt(squares / static_cast<double>(size - 1));
    }
    for (std::size_t i = begin; i < begin + size; ++i) out[i] = (rewards[i] - mean) / (stdev + eps);
    begin += size;
  }
  if (begin != rewards.size()) throw std::invalid_argument("group_advantages: group sizes do not cover the rewards");
  return out;
}

torch::Tensor k3_kl(const torch::Tensor& ref_log_probs, const torch::Tensor& log_probs, bool clamp) {
  auto d = ref_log_probs - log_probs;
  if (!clamp) return torch::exp(d) - d - 1;
  d = torch::clamp(d, -20.0, 20.0);
  return torch::clamp(torch::exp(d) - d - 1, -10.0, 10.0);
}

torch::Tensor clipped_policy_token_loss(const torch::Tensor& log_probs, const torch::Tensor& old_log_probs,
                                        const torch::Tensor& advantages, const ClipOptions& clip) {
  auto ratio = torch::exp(torch::clamp(log_probs - old_log_probs, -20.0, 20.0));
  auto l1 = -advantages * ratio;
  auto l2 = -advantages * torch::clamp(ratio, 1.0 - clip.clip_low, 1.0 + clip.clip_high);
  auto clipped = torch::maximum(l1, l2);
  auto dual = torch::minimum(clipped, -advantages * clip.dual_clip);
  return torch::where(advantages < 0, dual, clipped);
}

LossParts sidreasoner_loss(const torch::Tensor& log_probs, const torch::Tensor& old_log_probs,
                           const torch::Tensor& ref_log_probs, const torch::Tensor& advantages,
                           const ClipOptions& clip, double kl_coef) {
  auto policy = clipped_policy_token_loss(log_probs, old_log_probs, advantages, clip).mean();
  auto kl = k3_kl(ref_log_probs, log_probs, /*clamp=*/true).mean();
  LossParts parts;
  parts.loss = policy + kl_coef * kl;
  parts.policy = policy.item<double>();
  parts.kl = kl.item<double>();
  return parts;
}

LossParts minionerec_loss(const torch::Tensor& log_probs, const torch::Tensor& ref_log_probs,
                          const torch::Tensor& advantages, const torch::Tensor& sequence, std::int64_t sequences,
                          double beta) {
  auto kl = k3_kl(ref_log_probs, log_probs, /*clamp=*/false);
  auto ratio = torch::exp(log_probs - log_probs.detach());  // 1 in value, d logp in gradient
  auto policy = -(ratio * advantages);
  auto token_loss = policy + beta * kl;
  auto options = log_probs.options();
  auto lengths = torch::zeros({sequences}, options).index_add_(0, sequence, torch::ones_like(log_probs));
  auto per_sequence = [&](const torch::Tensor& t) {
    return (torch::zeros({sequences}, options).index_add(0, sequence, t) / lengths.clamp_min(1)).sum();
  };
  LossParts parts;
  parts.loss = per_sequence(token_loss);
  parts.policy = per_sequence(policy.detach()).item<double>();
  parts.kl = per_sequence(kl.detach()).item<double>();
  return parts;
}

}  // namespace sidr::rl
