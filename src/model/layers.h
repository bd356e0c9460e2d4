// Building blocks of the Qwen3 decoder, each registered under its Hugging Face name so that
// named_parameters() yields exactly the keys of an HF state dict.
#pragma once
#include <torch/torch.h>

#include "model/config.h"

namespace sidr::model {

// Whether to run q/k/v (and gate/up) as one GEMM on concatenated weights: worth it for many rows (training,
// prefill), not for a decoding step where copying the weights would cost more than the product.
bool fuse_projections(std::int64_t rows);

// RMSNorm: x / sqrt(mean(x^2) + eps) * weight, computed in fp32 (as HF) and cast back to the input dtype.
class RMSNormImpl : public torch::nn::Module {
 public:
  RMSNormImpl(std::int64_t dim, double eps);
  torch::Tensor forward(const torch::Tensor& x);  // (..., dim) -> (..., dim)
  torch::Tensor weight;                           // (dim)
  double eps;
};
TORCH_MODULE(RMSNorm);

// Rotary embedding tables for given positions, HF rotate_half layout (the two halves of head_dim).
struct Rotary {
  torch::Tensor cos;  // (B, 1, T, head_dim), compute dtype
  torch::Tensor sin;  // (B, 1, T, head_dim)
};
Rotary rotary_tables(const torch::Tensor& positions, std::int64_t head_dim, double theta,
                     torch::Dtype dtype);  // positions: (B, T) int64
// x: (B, heads, T, head_dim) -> same, x * cos + rotate_half(x) * sin.
torch::Tensor apply_rotary(const torch::Tensor& x, const Rotary& rotary);

// Scaled dot-product attention with grouped KV heads, without materialising repeated K/V.
// q: (B, H, T, D), k and v: (B, KV, S, D), additive_mask: (B, 1, T, S) (0 or a finite lowest value).
// Returns (B, H, T, D).
torch::Tensor grouped_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                const torch::Tensor& additive_mask);

class AttentionImpl : public torch::nn::Module {
 public:
  explicit AttentionImpl(const ModelConfig& config);
  // x: (B, T, hidden). With cache tensors (defined or not), new keys/values are appended to them.
  torch::Tensor forward(const torch::Tensor& x, const Rotary& rotary, const torch::Tensor& additive_mask,
                        torch::Tensor* cache_keys, torch::Tensor* cache_values);

  torch::nn::Linear q_proj{nullptr}, k_proj{nullptr}, v_proj{nullptr}, o_proj{nullptr};
  RMSNorm q_norm{nullptr}, k_norm{nullptr};  // Qwen3 only
  std::int64_t heads, kv_heads, head_dim;
};
TORCH_MODULE(Attention);

// SwiGLU: down(silu(gate(x)) * up(x)).
class MlpImpl : public torch::nn::Module {
 public:
  explicit MlpImpl(const ModelConfig& config);
  torch::Tensor forward(const torch::Tensor& x);  // (B, T, hidden) -> (B, T, hidden)
  torch::nn::Linear gate_proj{nullptr}, up_proj{nullptr}, down_proj{nullptr};
};
TORCH_MODULE(Mlp);

class DecoderLayerImpl : public torch::nn::Module {
 public:
  explicit DecoderLayerImpl(const ModelConfig& config);
  torch::Tensor forward(const torch::Tensor& x, const Rotary& rotary, const torch::Tensor& additive_mask,
                        torch::Tensor* cache_keys, torch::Tensor* cache_values);
  Attention self_attn{nullptr};
  Mlp mlp{nullptr};
  RMSNorm input_layernorm{nullptr}, post_attention_layernorm{nullptr};
  double dropout;
};
TORCH_MODULE(DecoderLayer);

// HF's "model." prefix: embed_tokens, layers, norm.
class BackboneImpl : public torch::nn::Module {
 public:
  explicit BackboneImpl(const ModelConfig& config);
  torch::nn::Embedding embed_tokens{nullptr};
  torch::nn::ModuleList layers{nullptr};
  std::vector<DecoderLayer> layer_list;  // the same modules as `layers`, typed
  RMSNorm norm{nullptr};
};
TORCH_MODULE(Backbone);

}  // namespace sidr::model
