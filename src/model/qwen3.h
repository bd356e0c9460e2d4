// Decoder-only transformer in the Qwen3 layout (also Qwen2 and Llama), parameter names exactly as in
// Hugging Face's state dicts, so checkpoints load by name.
#pragma once
#include <torch/torch.h>

#include "model/config.h"
#include "model/kv_cache.h"

namespace sidr::model {

class Qwen3Impl : public torch::nn::Module {
 public:
  explicit Qwen3Impl(const ModelConfig& config);

  // input_ids: (B, T) int64. attention_mask: (B, T) 1 = token, 0 = padding (left padding; positions are
  // computed from the mask). With a cache, input_ids are the new tokens only, attention_mask covers the new
  // tokens too, and the cache is extended. Returns the final hidden states (B, T, hidden) after the last norm.
  torch::Tensor forward_hidden(const torch::Tensor& input_ids, const torch::Tensor& attention_mask,
                               KvCache* cache = nullptr);
  // Output projection (tied embedding or lm_head): (..., hidden) -> (..., vocab).
  torch::Tensor logits(const torch::Tensor& hidden);
  // forward_hidden then logits over every position: (B, T, vocab).
  torch::Tensor forward(const torch::Tensor& input_ids, const torch::Tensor& attention_mask,
                        KvCache* cache = nullptr);

  const ModelConfig& config() const { return config_; }

 private:
  ModelConfig config_;
  // members registered with HF names: model.embed_tokens, model.layers.{i}..., model.norm, lm_head
 public:
  struct Internals;  // defined in qwen3.cpp
};
TORCH_MODULE(Qwen3);

}  // namespace sidr::model
