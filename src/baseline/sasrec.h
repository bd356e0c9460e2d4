// SASRec as MiniOneRec's sasrec.py / SASRecModules_ori.py builds it: one self-attention block over right-padded
// item-id sequences, learned absolute positions, and a linear head over all items read at position len-1.
// Module and parameter names follow the PyTorch module (item_embeddings, mh_attn.linear_q, feed_forward.w_1,
// s_fc, ...) so a state dict maps one to one (the reference's 1x1 convolutions are Linear layers here).
#pragma once
#include <cstdint>

#include <torch/torch.h>

namespace sidr::baseline {

struct SasrecConfig {
  std::int64_t num_items = 0;  // N; the padding id is N, logits cover items 0..N-1
  std::int64_t hidden = 32;    // hidden_factor
  std::int64_t heads = 1;      // attention heads (split by channel)
  std::int64_t max_len = 10;   // state_size: history length, right-padded
  double dropout = 0.3;        // dropout_rate (embeddings, attention weights, FFN output)
  void validate() const;       // InputError with a full sentence
};

// Multi-head attention of SASRecModules_ori.py: residual on the (normalised) queries, scores scaled by
// sqrt(hidden) (not the head size), key/causal masks filled with -2^32+1, query mask after the softmax.
class SasrecAttentionImpl : public torch::nn::Module {
 public:
  SasrecAttentionImpl(std::int64_t hidden, std::int64_t heads, double dropout);
  // queries, keys: (B, L, H) -> (B, L, H)
  torch::Tensor forward(const torch::Tensor& queries, const torch::Tensor& keys);

 private:
  std::int64_t hidden_, heads_;
  torch::nn::Linear linear_q_{nullptr}, linear_k_{nullptr}, linear_v_{nullptr};
  torch::nn::Dropout dropout_{nullptr};
};
TORCH_MODULE(SasrecAttention);

// Point-wise feed-forward: LayerNorm(x + Dropout(W2 ReLU(W1 x))).
class SasrecFeedForwardImpl : public torch::nn::Module {
 public:
  SasrecFeedForwardImpl(std::int64_t hidden, double dropout);
  torch::Tensor forward(const torch::Tensor& x);  // (B, L, H) -> (B, L, H)

 private:
  torch::nn::Linear w_1_{nullptr}, w_2_{nullptr};
  torch::nn::LayerNorm layer_norm_{nullptr};
  torch::nn::Dropout dropout_{nullptr};
};
TORCH_MODULE(SasrecFeedForward);

class SasrecImpl : public torch::nn::Module {
 public:
  explicit SasrecImpl(const SasrecConfig& config);
  // states: (B, L) int64 item ids right-padded with N; lengths: (B) int64 in 1..L. Returns logits (B, N).
  torch::Tensor forward(const torch::Tensor& states, const torch::Tensor& lengths);
  // The hidden state at position len-1: (B, H). forward() = s_fc(encode()).
  torch::Tensor encode(const torch::Tensor& states, const torch::Tensor& lengths);
  // Logits over all items from encode()'s output: (B, H) -> (B, N).
  torch::Tensor logits(const torch::Tensor& hidden) { return s_fc_(hidden); }
  // Logits of chosen items only: hidden (B, H), items (B, C) int64 -> (B, C), equal to forward() gathered at
  // items, without the (B, N) product (what the sampled BCE loss needs).
  torch::Tensor score_items(const torch::Tensor& hidden, const torch::Tensor& items);
  const SasrecConfig& config() const { return config_; }

 private:
  SasrecConfig config_;
  torch::nn::Embedding item_embeddings_{nullptr}, positional_embeddings_{nullptr};
  torch::nn::Dropout emb_dropout_{nullptr};
  torch::nn::LayerNorm ln_1_{nullptr}, ln_2_{nullptr}, ln_3_{nullptr};
  SasrecAttention mh_attn_{nullptr};
  SasrecFeedForward feed_forward_{nullptr};
  torch::nn::Linear s_fc_{nullptr};
};
TORCH_MODULE(Sasrec);

}  // namespace sidr::baseline
