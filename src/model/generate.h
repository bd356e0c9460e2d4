// Minimal single-sequence generation and scoring on top of Qwen3 + KvCache (the `generate` and `score`
// commands). Batched, constrained decoding lives in src/decode.
#pragma once
#include <cstdint>
#include <vector>

#include "model/qwen3.h"

namespace sidr::model {

struct SamplingOptions {
  std::int64_t max_new_tokens = 32;   // tokens to generate at most
  double temperature = 0.0;           // 0: greedy (argmax); > 0: sample from softmax(logits / temperature)
  std::int64_t top_k = 0;             // 0: no top-k filter
  double top_p = 1.0;                 // nucleus filter; 1: none
  std::uint64_t seed = 0;             // sampling generator seed
  std::vector<std::int64_t> stop_ids;  // stop after emitting one of these

  void validate() const;
};

// Generated ids (the prompt not included). The prompt must not be empty.
std::vector<std::int64_t> generate(Qwen3& model, const std::vector<std::int64_t>& prompt,
                                   const SamplingOptions& options);

// log p(ids[t] | ids[:t]) for t = 1..T-1, in float64 from fp32 log-softmax.
std::vector<double> score_tokens(Qwen3& model, const std::vector<std::int64_t>& ids);

// Filters logits (V) or (B, V) for sampling: temperature, top-k, top-p; removed entries get -inf.
torch::Tensor filter_logits(const torch::Tensor& logits, const SamplingOptions& options);

}  // namespace sidr::model
