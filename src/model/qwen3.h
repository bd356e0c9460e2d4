// Decoder-only transformer in the Qwen3 layout (also Qwen2 and Llama), parameter names exactly as in
// Hugging Face's state dicts, so checkpoints load by name.
#pragma once
#include <torch/torch.h>

#include "model/config.h"
#include "model/kv_cache.h"
#include "model/layers.h"

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

  // Input embedding matrix (vocab, hidden) and output projection (vocab, hidden); the same tensor when tied.
  torch::Tensor embedding_weight() const;
  torch::Tensor output_weight() const;
  // Replaces the vocabulary matrices (resize): head is ignored when tied. Updates config().vocab_size.
  void set_vocab_weights(const torch::Tensor& embedding, const torch::Tensor& head);
  // Device and dtype of the parameters.
  torch::Device device() const;
  torch::Dtype dtype() const;

 private:
  ModelConfig config_;
  // Registered with HF names: model.embed_tokens, model.layers.{i}..., model.norm, lm_head (untied only).
  Backbone model_{nullptr};
  torch::nn::Linear lm_head_{nullptr};
};
TORCH_MODULE(Qwen3);

}  // namespace sidr::model
