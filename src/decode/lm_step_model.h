// StepModel over a Qwen3 model and its KV cache: the prompts are run once (left-padded, one forward), then
// every step reorders the cache rows (KvCache::select_rows) and feeds one token per row.
//
// Prompts that share a leading span (the reference's evaluation prompts share a ~60-token instruction) run that
// span once: its keys and values are kept across start() calls and broadcast to every row, and only the rest of
// each prompt is computed. The padding then sits between the shared span and each row's own tokens, which the
// attention mask and the mask-derived positions handle exactly as left padding.
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
  // Saved rows are copies of their KV cache rows; resume() right-aligns them in one cache (left padding where
  // they are shorter), masks the forgotten positions, and feeds the new tokens left-padded: the mask-derived
  // positions make every row exactly its own sequence.
  std::shared_ptr<const SavedRows> save(const torch::Tensor& rows) override;
  torch::Tensor resume(const std::vector<Continuation>& rows) override;

  const model::KvCache& cache() const { return cache_; }
  // Tokens of the span currently shared by the prompts (empty before the first start() that found one).
  const std::vector<TokenId>& shared_prefix() const { return prefix_ids_; }
  // Spans shorter than this are not worth the bookkeeping (default 4); a huge value turns sharing off.
  void set_min_shared_prefix(std::size_t tokens) { min_shared_prefix_ = tokens; }

 private:
  torch::Tensor last_logits(const torch::Tensor& hidden);  // (R, T, H) -> (R, V) float32
  // Length of the span to share for these prompts (0: none), recomputing the cached span when it changes.
  std::size_t prepare_shared_prefix(const std::vector<std::vector<TokenId>>& prompts);
  model::Qwen3 model_;
  TokenId pad_id_;
  model::KvCache cache_;
  std::size_t min_shared_prefix_ = 4;
  std::vector<TokenId> prefix_ids_;  // the shared span
  model::KvCache prefix_cache_;      // its keys and values, one row
};

// Left-pads prompts to one length: ids (N, T) int64 and attention mask (N, T) int64 (0 on padding).
std::pair<torch::Tensor, torch::Tensor> left_pad(const std::vector<std::vector<TokenId>>& prompts, TokenId pad_id);

}  // namespace sidr::decode
