// StepModel over a Qwen3 model and its KV cache: the prompts are run once (left-padded, one forward), then
// every step reorders the cache rows (KvCache::select_rows) and feeds one token per row.
#pragma once
#include "decode/step_model.h"
#include "model/kv_cache.h"
#include "model/qwen3.h"

namespace sidr::decode {

class LmStepModel : public StepModel {
 public:
  // pad_id fills the left padding (masked out; any id in the vocabulary works).
  LmStepModel(model::Qwen3 model, TokenId pad_id);

  torch::Tensor start(const std::vector<std::vector<TokenId>>& prompts) override;
  torch::Tensor step(const torch::Tensor& rows, const torch::Tensor& tokens) override;
  std::int64_t vocab_size() const override { return model_->config().vocab_size; }

  const model::KvCache& cache() const { return cache_; }

 private:
  torch::Tensor last_logits(const torch::Tensor& hidden);  // (R, T, H) -> (R, V) float32
  model::Qwen3 model_;
  TokenId pad_id_;
  model::KvCache cache_;
};

// Left-pads prompts to one length: ids (N, T) int64 and attention mask (N, T) int64 (0 on padding).
std::pair<torch::Tensor, torch::Tensor> left_pad(const std::vector<std::vector<TokenId>>& prompts, TokenId pad_id);

}  // namespace sidr::decode
