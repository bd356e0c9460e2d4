#include "model/layers.h"

#include <cmath>
#include <cstdlib>

#include <torch/version.h>

#include "model/kv_cache.h"

namespace sidr::model {
namespace F = torch::nn::functional;

bool fuse_projections(std::int64_t rows) {
  static const bool disabled = std::getenv("SIDR_NO_FUSE") != nullptr;
  return !disabled && rows >= 64;
}

RMSNormImpl::RMSNormImpl(std::int64_t dim, double eps_) : eps(eps_) {
  weight = register_parameter("weight", torch::ones({dim}));
}

torch::Tensor RMSNormImpl::forward(const torch::Tensor& x) {
  if (x.scalar_type() == torch::kFloat32) return x * torch::rsqrt(x.pow(2).mean(-1, true) + eps) * weight;
  auto x32 = x.to(torch::kFloat32);
  auto normed = (x32 * torch::rsqrt(x32.pow(2).mean(-1, true) + eps)).to(x.scalar_type());
  return weight * normed;
}

Rotary rotary_tables(const torch::Tensor& positions, std::int64_t head_dim, double theta, torch::Dtype dtype) {
  auto options = torch::TensorOptions().dtype(torch::kFloat32).device(positions.device());
  // inv_freq[i] = theta^(-2i / head_dim), computed as HF does (float32 exponent, then reciprocal).
  auto exponents = torch::arange(0, head_dim, 2, options.dtype(torch::kInt64)).to(torch::kFloat32) / head_dim;
  auto inv_freq = 1.0 / torch::pow(theta, exponents);                         // (D/2)
  auto freqs = positions.to(torch::kFloat32).unsqueeze(-1) * inv_freq;        // (B, T, D/2)
  auto angles = torch::cat({freqs, freqs}, -1).unsqueeze(1);                  // (B, 1, T, D)
  return Rotary{angles.cos().to(dtype), angles.sin().to(dtype)};
}

torch::Tensor apply_rotary(const torch::Tensor& x, const Rotary& rotary) {
  auto half = x.size(-1) / 2;
  auto x1 = x.narrow(-1, 0, half), x2 = x.narrow(-1, half, half);
  auto rotated = torch::cat({-x2, x1}, -1);  // rotate_half
  return x * rotary.cos + rotated * rotary.sin;
}

torch::Tensor grouped_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                const torch::Tensor& additive_mask) {
  const auto B = q.size(0), H = q.size(1), T = q.size(2), D = q.size(3);
  const auto KV = k.size(1), S = k.size(2), G = H / KV;
  const double scale = 1.0 / std::sqrt(static_cast<double>(D));
#if defined(TORCH_VERSION_MAJOR) && TORCH_VERSION_MAJOR >= 2
  // libtorch 2.x: the fused kernel (flash / memory-efficient on CUDA). K/V heads repeated by a broadcast view.
  auto k_full = G == 1 ? k : k.unsqueeze(2).expand({B, KV, G, S, D}).reshape({B, H, S, D});
  auto v_full = G == 1 ? v : v.unsqueeze(2).expand({B, KV, G, S, D}).reshape({B, H, S, D});
  return at::scaled_dot_product_attention(q, k_full, v_full, additive_mask.to(q.scalar_type()));
#else
  // The G query heads that share a KV head are stacked along the time axis: one batched matmul per KV head,
  // no copies of K or V.
  auto qg = (q * scale).reshape({B, KV, G * T, D});                          // (B, KV, G*T, D)
  auto scores = torch::matmul(qg, k.transpose(-1, -2)).view({B, H, T, S});   // (B, H, T, S)
  scores.add_(additive_mask);  // in place: matmul's backward does not need its output
  auto probs = q.scalar_type() == torch::kFloat32 ? torch::softmax(scores, -1)
                                                  : torch::softmax(scores, -1, torch::kFloat32).to(q.scalar_type());
  return torch::matmul(probs.view({B, KV, G * T, S}), v).view({B, H, T, D});  // (B, H, T, D)
#endif
}

AttentionImpl::AttentionImpl(const ModelConfig& c)
    : heads(c.num_attention_heads), kv_heads(c.num_key_value_heads), head_dim(c.head_dim) {
  bool qkv_bias = c.attention_bias;
  bool o_bias = c.attention_bias && c.model_type != "qwen2";
  using torch::nn::LinearOptions;
  q_proj = register_module("q_proj", torch::nn::Linear(LinearOptions(c.hidden_size, heads * head_dim).bias(qkv_bias)));
  k_proj = register_module("k_proj", torch::nn::Linear(LinearOptions(c.hidden_size, kv_heads * head_dim).bias(qkv_bias)));
  v_proj = register_module("v_proj", torch::nn::Linear(LinearOptions(c.hidden_size, kv_heads * head_dim).bias(qkv_bias)));
  o_proj = register_module("o_proj", torch::nn::Linear(LinearOptions(heads * head_dim, c.hidden_size).bias(o_bias)));
  if (c.model_type == "qwen3") {
    q_norm = register_module("q_norm", RMSNorm(head_dim, c.rms_norm_eps));
    k_norm = register_module("k_norm", RMSNorm(head_dim, c.rms_norm_eps));
  }
}

torch::Tensor AttentionImpl::forward(const torch::Tensor& x, const Rotary& rotary, const torch::Tensor& additive_mask,
                                     torch::Tensor* cache_keys, torch::Tensor* cache_values) {
  const auto B = x.size(0), T = x.size(1);
  torch::Tensor q, k, v;
  if (fuse_projections(B * T)) {
    // One GEMM for q, k and v: the weights are concatenated per call (cheap next to B*T rows).
    auto bias = q_proj->bias.defined() ? torch::cat({q_proj->bias, k_proj->bias, v_proj->bias}) : torch::Tensor();
    auto qkv = torch::nn::functional::linear(x, torch::cat({q_proj->weight, k_proj->weight, v_proj->weight}), bias);
    auto parts = qkv.split_with_sizes({heads * head_dim, kv_heads * head_dim, kv_heads * head_dim}, -1);
    q = parts[0];
    k = parts[1];
    v = parts[2];
  } else {
    q = q_proj(x);
    k = k_proj(x);
    v = v_proj(x);
  }
  q = q.view({B, T, heads, head_dim});                     // (B, T, H, D)
  k = k.view({B, T, kv_heads, head_dim});                  // (B, T, KV, D)
  v = v.view({B, T, kv_heads, head_dim}).transpose(1, 2);  // (B, KV, T, D)
  if (q_norm) {  // Qwen3: per-head RMSNorm before RoPE
    q = q_norm(q);
    k = k_norm(k);
  }
  q = apply_rotary(q.transpose(1, 2), rotary);  // (B, H, T, D)
  k = apply_rotary(k.transpose(1, 2), rotary);  // (B, KV, T, D)
  if (cache_keys) {
    const auto past = additive_mask.size(-1) - T;  // the mask spans the cached steps and these
    k = append_to_cache(*cache_keys, k, past);      // (B, KV, S, D)
    v = append_to_cache(*cache_values, v, past);
  }
  auto attended = grouped_attention(q, k, v, additive_mask);  // (B, H, T, D)
  return o_proj(attended.transpose(1, 2).reshape({B, T, heads * head_dim}));
}

MlpImpl::MlpImpl(const ModelConfig& c) {
  using torch::nn::LinearOptions;
  gate_proj = register_module("gate_proj", torch::nn::Linear(LinearOptions(c.hidden_size, c.intermediate_size).bias(false)));
  up_proj = register_module("up_proj", torch::nn::Linear(LinearOptions(c.hidden_size, c.intermediate_size).bias(false)));
  down_proj = register_module("down_proj", torch::nn::Linear(LinearOptions(c.intermediate_size, c.hidden_size).bias(false)));
}

torch::Tensor MlpImpl::forward(const torch::Tensor& x) {
  const auto rows = x.numel() / x.size(-1);
  if (fuse_projections(rows)) {
    auto gate_up = torch::nn::functional::linear(x, torch::cat({gate_proj->weight, up_proj->weight}));  // (.., 2I)
    auto halves = gate_up.chunk(2, -1);
    return down_proj(torch::silu(halves[0]) * halves[1]);
  }
  return down_proj(torch::silu(gate_proj(x)) * up_proj(x));
}

DecoderLayerImpl::DecoderLayerImpl(const ModelConfig& c) : dropout(c.dropout) {
  self_attn = register_module("self_attn", Attention(c));
  mlp = register_module("mlp", Mlp(c));
  input_layernorm = register_module("input_layernorm", RMSNorm(c.hidden_size, c.rms_norm_eps));
  post_attention_layernorm = register_module("post_attention_layernorm", RMSNorm(c.hidden_size, c.rms_norm_eps));
}

torch::Tensor DecoderLayerImpl::forward(const torch::Tensor& x, const Rotary& rotary, const torch::Tensor& additive_mask,
                                        torch::Tensor* cache_keys, torch::Tensor* cache_values) {
  auto attended = self_attn(input_layernorm(x), rotary, additive_mask, cache_keys, cache_values);
  if (dropout > 0 && is_training()) attended = F::dropout(attended, F::DropoutFuncOptions().p(dropout).training(true));
  auto h = x + attended;
  auto mlp_out = mlp(post_attention_layernorm(h));
  if (dropout > 0 && is_training()) mlp_out = F::dropout(mlp_out, F::DropoutFuncOptions().p(dropout).training(true));
  return h + mlp_out;
}

BackboneImpl::BackboneImpl(const ModelConfig& c) {
  embed_tokens = register_module("embed_tokens", torch::nn::Embedding(c.vocab_size, c.hidden_size));
  layers = register_module("layers", torch::nn::ModuleList());
  for (std::int64_t i = 0; i < c.num_hidden_layers; ++i) {
    layer_list.emplace_back(c);
    layers->push_back(layer_list.back());
  }
  norm = register_module("norm", RMSNorm(c.hidden_size, c.rms_norm_eps));
}

}  // namespace sidr::model
