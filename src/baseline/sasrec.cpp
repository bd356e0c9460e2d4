#include "baseline/sasrec.h"

#include <cmath>
#include <string>

#include "util/error.h"

namespace sidr::baseline {

namespace {
// The reference's mask fill, -2**32 + 1: finite, so a fully masked row still softmaxes to numbers.
constexpr double kMaskFill = -4294967295.0;
}  // namespace

void SasrecConfig::validate() const {
  auto fail = [](const std::string& message) { throw InputError(message); };
  if (num_items < 1) fail("SASRec needs at least one item, got " + std::to_string(num_items));
  if (hidden < 1) fail("hidden size must be at least 1, got " + std::to_string(hidden));
  if (heads < 1 || hidden % heads != 0)
    fail("heads must divide the hidden size " + std::to_string(hidden) + ", got " + std::to_string(heads));
  if (max_len < 1) fail("max length must be at least 1, got " + std::to_string(max_len));
  if (!(dropout >= 0.0 && dropout < 1.0)) fail("dropout must be in [0, 1), got " + std::to_string(dropout));
}

SasrecAttentionImpl::SasrecAttentionImpl(std::int64_t hidden, std::int64_t heads, double dropout)
    : hidden_(hidden), heads_(heads) {
  linear_q_ = register_module("linear_q", torch::nn::Linear(hidden, hidden));
  linear_k_ = register_module("linear_k", torch::nn::Linear(hidden, hidden));
  linear_v_ = register_module("linear_v", torch::nn::Linear(hidden, hidden));
  dropout_ = register_module("dropout", torch::nn::Dropout(dropout));
}

torch::Tensor SasrecAttentionImpl::forward(const torch::Tensor& queries, const torch::Tensor& keys) {
  const auto batch = queries.size(0), length = queries.size(1), head_dim = hidden_ / heads_;
  // (B, L, H) -> (B, heads, L, H/heads): channel blocks per head, as torch.split(..., dim=2) does.
  auto split_heads = [&](const torch::Tensor& x) { return x.view({batch, length, heads_, head_dim}).transpose(1, 2); };
  auto q = split_heads(linear_q_(queries));  // (B, h, L, d)
  auto k = split_heads(linear_k_(keys));     // (B, h, L, d)
  auto v = split_heads(linear_v_(keys));     // (B, h, L, d)
  auto scores = torch::matmul(q, k.transpose(-1, -2)) / std::sqrt(static_cast<double>(hidden_));  // (B, h, L, L)

  auto key_pad = keys.sum(-1).eq(0).view({batch, 1, 1, length});                      // (B, 1, 1, L)
  auto future = torch::ones({length, length}, torch::kBool).triu(1).view({1, 1, length, length});
  scores = scores.masked_fill(key_pad, kMaskFill).masked_fill(future, kMaskFill);
  auto weights = torch::softmax(scores, -1);                                           // (B, h, L, L)
  auto query_keep = queries.sum(-1).ne(0).to(weights.dtype()).view({batch, 1, length, 1});  // (B, 1, L, 1)
  weights = dropout_(weights * query_keep);
  auto out = torch::matmul(weights, v).transpose(1, 2).reshape({batch, length, hidden_});  // (B, L, H)
  return out + queries;
}

SasrecFeedForwardImpl::SasrecFeedForwardImpl(std::int64_t hidden, double dropout) {
  w_1_ = register_module("w_1", torch::nn::Linear(hidden, hidden));
  w_2_ = register_module("w_2", torch::nn::Linear(hidden, hidden));
  layer_norm_ = register_module("layer_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({hidden})));
  dropout_ = register_module("dropout", torch::nn::Dropout(dropout));
}

torch::Tensor SasrecFeedForwardImpl::forward(const torch::Tensor& x) {
  auto out = dropout_(w_2_(torch::relu(w_1_(x))));  // (B, L, H)
  return layer_norm_(out + x);
}

SasrecImpl::SasrecImpl(const SasrecConfig& config) : config_(config) {
  config_.validate();
  const auto hidden = config_.hidden;
  item_embeddings_ = register_module("item_embeddings", torch::nn::Embedding(config_.num_items + 1, hidden));
  positional_embeddings_ = register_module("positional_embeddings", torch::nn::Embedding(config_.max_len, hidden));
  emb_dropout_ = register_module("emb_dropout", torch::nn::Dropout(config_.dropout));
  ln_1_ = register_module("ln_1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({hidden})));
  ln_2_ = register_module("ln_2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({hidden})));
  ln_3_ = register_module("ln_3", torch::nn::LayerNorm(torch::nn::LayerNormOptions({hidden})));
  mh_attn_ = register_module("mh_attn", SasrecAttention(hidden, config_.heads, config_.dropout));
  feed_forward_ = register_module("feed_forward", SasrecFeedForward(hidden, config_.dropout));
  s_fc_ = register_module("s_fc", torch::nn::Linear(hidden, config_.num_items));
  // Item embeddings N(0, 0.01) as in sasrec.py; positions and linear layers keep PyTorch's default init.
  torch::NoGradGuard no_grad;
  item_embeddings_->weight.normal_(0.0, 0.01);
}

torch::Tensor SasrecImpl::forward(const torch::Tensor& states, const torch::Tensor& lengths) {
  return s_fc_(encode(states, lengths));  // (B, N)
}

torch::Tensor SasrecImpl::score_items(const torch::Tensor& hidden, const torch::Tensor& items) {
  const auto batch = items.size(0), count = items.size(1);
  auto flat = items.reshape({-1});                                                    // (B*C)
  auto weight = s_fc_->weight.index_select(0, flat).view({batch, count, config_.hidden});  // (B, C, H)
  auto bias = s_fc_->bias.index_select(0, flat).view({batch, count});                 // (B, C)
  return (weight * hidden.unsqueeze(1)).sum(-1) + bias;                               // (B, C)
}

torch::Tensor SasrecImpl::encode(const torch::Tensor& states, const torch::Tensor& lengths) {
  TORCH_CHECK(states.dim() == 2 && states.size(1) == config_.max_len, "SASRec states must be (B, ", config_.max_len,
              ")");
  const auto batch = states.size(0), length = states.size(1);
  auto positions = torch::arange(length, states.options());                       // (L)
  auto seq = item_embeddings_(states) + positional_embeddings_(positions);         // (B, L, H)
  seq = emb_dropout_(seq);
  auto mask = states.ne(config_.num_items).to(seq.dtype()).unsqueeze(-1);       // (B, L, 1)
  seq = seq * mask;
  auto attended = mh_attn_(ln_1_(seq), seq);                                      // (B, L, H)
  auto hidden = ln_3_(feed_forward_(ln_2_(attended)) * mask);                    // (B, L, H)
  auto index = (lengths - 1).view({batch, 1, 1}).expand({batch, 1, config_.hidden});
  return hidden.gather(1, index).squeeze(1);                                      // (B, H)
}

}  // namespace sidr::baseline
