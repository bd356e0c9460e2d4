#include "decode/sampling.h"

#include <string>

#include "decode/constraint.h"
#include "util/error.h"

namespace sidr::decode {

void SamplingOptions::validate() const {
  if (!(temperature > 0)) throw InputError("temperature must be above 0, got " + std::to_string(temperature));
  if (top_k < 0) throw InputError("top-k must be 0 (off) or positive, got " + std::to_string(top_k));
  if (!(top_p > 0 && top_p <= 1)) throw InputError("top-p must be in (0, 1], got " + std::to_string(top_p));
}

torch::Tensor top_k_filter(const torch::Tensor& scores, std::int64_t k) {
  // scores: (R, V). Keeps entries >= the k-th best value of the row (ties kept, as HF does).
  if (k <= 0 || k >= scores.size(-1)) return scores;
  auto kth = std::get<0>(scores.topk(k, -1)).select(-1, k - 1).unsqueeze(-1);  // (R, 1)
  return scores.masked_fill(scores < kth, kMaskedLogProb);
}

torch::Tensor top_p_filter(const torch::Tensor& scores, double top_p) {
  // HF TopPLogitsWarper: sort ascending, drop the tokens whose cumulative probability is <= 1 - top_p,
  // always keep the best one.
  if (top_p >= 1.0) return scores;
  auto sorted = scores.sort(-1, /*descending=*/false);
  auto sorted_scores = std::get<0>(sorted);   // (R, V)
  auto sorted_index = std::get<1>(sorted);    // (R, V)
  auto cumulative = sorted_scores.softmax(-1).cumsum(-1);  // (R, V)
  auto remove_sorted = cumulative <= (1.0 - top_p);
  remove_sorted.select(-1, remove_sorted.size(-1) - 1).fill_(false);
  auto remove = remove_sorted.scatter(-1, sorted_index, remove_sorted);
  return scores.masked_fill(remove, kMaskedLogProb);
}

torch::Tensor warp_scores(const torch::Tensor& scores, const SamplingOptions& options) {
  auto out = options.temperature == 1.0 ? scores : scores / options.temperature;
  out = top_k_filter(out, options.top_k);
  return top_p_filter(out, options.top_p);
}

}  // namespace sidr::decode
