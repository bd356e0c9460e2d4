// Logit warpers shared by sampling generation and HF-style beam sampling, in Hugging Face's order:
// temperature, then top-k, then top-p. Filtered entries get kMaskedLogProb (finite, see constraint.h).
#pragma once
#include <cstdint>

#include <torch/torch.h>

namespace sidr::decode {

struct SamplingOptions {
  double temperature = 1.0;  // > 0; scores are divided by it
  std::int64_t top_k = 0;    // 0: off; else keep the k best tokens of each row
  double top_p = 1.0;        // 1: off; else keep the smallest set of best tokens whose probability reaches top_p
  void validate() const;     // InputError with a full sentence
};

// scores: (R, V) log-probs or logits; returns the warped scores (R, V) (a new tensor).
torch::Tensor warp_scores(const torch::Tensor& scores, const SamplingOptions& options);
torch::Tensor top_k_filter(const torch::Tensor& scores, std::int64_t k);
torch::Tensor top_p_filter(const torch::Tensor& scores, double top_p);

}  // namespace sidr::decode
