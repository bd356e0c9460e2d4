#include "model/qwen3.h"

#include <limits>

#include "util/error.h"

namespace sidr::model {

Qwen3Impl::Qwen3Impl(const ModelConfig& config) : config_(config) {
  config_.validate();
  model_ = register_module("model", Backbone(config_));
  if (!config_.tie_word_embeddings)
    lm_head_ = register_module(
        "lm_head", torch::nn::Linear(torch::nn::LinearOptions(config_.hidden_size, config_.vocab_size).bias(false)));
}

namespace {

// Additive attention mask (B, 1, T, S): 0 where query t may attend key s (causal and key not padding), else the
// lowest finite value of the dtype. Finite, not -inf: a fully masked row (a padding query) stays a uniform
// softmax instead of NaN, and no inf - inf arises.
torch::Tensor additive_mask(const torch::Tensor& full_mask, std::int64_t past, std::int64_t T, torch::Dtype dtype) {
  const auto B = full_mask.size(0), S = full_mask.size(1);
  auto key_ok = full_mask.to(torch::kBool).view({B, 1, 1, S});
  auto causal = torch::ones({T, S}, full_mask.options().dtype(torch::kBool)).tril(past).view({1, 1, T, S});
  auto allowed = key_ok.logical_and(causal);  // (B, 1, T, S)
  double lowest = dtype == torch::kFloat32 ? static_cast<double>(std::numeric_limits<float>::lowest())
                  : dtype == torch::kBFloat16 ? -3.3895313892515355e38
                                              : -65504.0;
  return torch::zeros({B, 1, T, S}, full_mask.options().dtype(dtype)).masked_fill(allowed.logical_not(), lowest);
}

}  // namespace

torch::Tensor Qwen3Impl::forward_hidden(const torch::Tensor& input_ids, const torch::Tensor& attention_mask,
                                        KvCache* cache) {
  if (input_ids.dim() != 2) throw Error("forward: input_ids must be (batch, time)");
  const auto B = input_ids.size(0), T = input_ids.size(1);
  auto device = input_ids.device();
  auto mask = attention_mask.defined() ? attention_mask.to(device, torch::kInt64)
                                       : torch::ones({B, T}, input_ids.options().dtype(torch::kInt64));  // (B, T)
  const std::int64_t past = cache ? cache->length() : 0;
  if (cache && past > 0 && cache->batch_size() != B)
    throw Error("forward: batch of " + std::to_string(B) + " rows but the cache holds " +
                std::to_string(cache->batch_size()));
  auto full_mask = past > 0 ? torch::cat({cache->attention_mask.to(device, torch::kInt64), mask}, 1) : mask;  // (B, S)
  // Positions count real tokens only, so a left-padded row gets the same positions as the unpadded sequence.
  auto positions = (full_mask.cumsum(1) - 1).clamp_min(0).narrow(1, past, T);  // (B, T)

  auto x = model_->embed_tokens(input_ids);  // (B, T, hidden)
  auto dtype = x.scalar_type();
  auto rotary = rotary_tables(positions, config_.head_dim, config_.rope_theta, dtype);
  auto mask_add = additive_mask(full_mask, past, T, dtype);  // (B, 1, T, S)
  if (cache) {
    cache->keys.resize(model_->layer_list.size());
    cache->values.resize(model_->layer_list.size());
  }
  for (std::size_t i = 0; i < model_->layer_list.size(); ++i)
    x = model_->layer_list[i]->forward(x, rotary, mask_add, cache ? &cache->keys[i] : nullptr,
                                       cache ? &cache->values[i] : nullptr);
  if (cache) cache->attention_mask = full_mask;
  return model_->norm(x);
}

torch::Tensor Qwen3Impl::logits(const torch::Tensor& hidden) {
  return torch::nn::functional::linear(hidden, output_weight());
}

torch::Tensor Qwen3Impl::forward(const torch::Tensor& input_ids, const torch::Tensor& attention_mask, KvCache* cache) {
  return logits(forward_hidden(input_ids, attention_mask, cache));
}

torch::Tensor Qwen3Impl::embedding_weight() const { return model_->embed_tokens->weight; }

torch::Tensor Qwen3Impl::output_weight() const {
  return lm_head_ ? lm_head_->weight : model_->embed_tokens->weight;
}

void Qwen3Impl::set_vocab_weights(const torch::Tensor& embedding, const torch::Tensor& head) {
  torch::NoGradGuard no_grad;
  model_->embed_tokens->weight.set_data(embedding);
  model_->embed_tokens->options.num_embeddings(embedding.size(0));
  if (lm_head_) {
    lm_head_->weight.set_data(head);
    lm_head_->options.out_features(head.size(0));
  }
  config_.vocab_size = embedding.size(0);
}

torch::Device Qwen3Impl::device() const { return model_->embed_tokens->weight.device(); }
torch::Dtype Qwen3Impl::dtype() const { return model_->embed_tokens->weight.scalar_type(); }

}  // namespace sidr::model
