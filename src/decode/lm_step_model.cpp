#include "decode/lm_step_model.h"

#include <algorithm>

#include "util/error.h"

namespace sidr::decode {

std::pair<torch::Tensor, torch::Tensor> left_pad(const std::vector<std::vector<TokenId>>& prompts, TokenId pad_id) {
  std::size_t longest = 0;
  for (const auto& p : prompts) longest = std::max(longest, p.size());
  const auto n = static_cast<std::int64_t>(prompts.size());
  const auto t = static_cast<std::int64_t>(longest);
  auto ids = torch::full({n, t}, static_cast<std::int64_t>(pad_id), torch::kInt64);  // (N, T)
  auto mask = torch::zeros({n, t}, torch::kInt64);                                      // (N, T)
  auto ids_a = ids.accessor<std::int64_t, 2>();
  auto mask_a = mask.accessor<std::int64_t, 2>();
  for (std::int64_t i = 0; i < n; ++i) {
    const auto& p = prompts[static_cast<std::size_t>(i)];
    const std::int64_t offset = t - static_cast<std::int64_t>(p.size());
    for (std::size_t j = 0; j < p.size(); ++j) {
      ids_a[i][offset + static_cast<std::int64_t>(j)] = p[j];
      mask_a[i][offset + static_cast<std::int64_t>(j)] = 1;
    }
  }
  return {ids, mask};
}

LmStepModel::LmStepModel(model::Qwen3 model, TokenId pad_id) : model_(std::move(model)), pad_id_(pad_id) {
  model_->eval();
}

torch::Tensor LmStepModel::last_logits(const torch::Tensor& hidden) {
  // Only the last position needs the (large) vocabulary projection.
  auto last = hidden.select(1, hidden.size(1) - 1);  // (R, H)
  return model_->logits(last).to(torch::kFloat32);   // (R, V)
}

torch::Tensor LmStepModel::start(const std::vector<std::vector<TokenId>>& prompts) {
  torch::NoGradGuard no_grad;
  for (const auto& p : prompts) {
    if (p.empty()) throw InputError("decode: a prompt has no tokens");
    for (TokenId id : p)
      if (id < 0 || id >= vocab_size())
        throw InputError("decode: token id " + std::to_string(id) + " is outside the model's vocabulary of " +
                         std::to_string(vocab_size()));
  }
  cache_.clear();
  auto [ids, mask] = left_pad(prompts, pad_id_);  // (N, T)
  auto device = model_->device();
  auto hidden = model_->forward_hidden(ids.to(device), mask.to(device), &cache_);  // (N, T, H)
  return last_logits(hidden);
}

torch::Tensor LmStepModel::step(const torch::Tensor& rows, const torch::Tensor& tokens) {
  torch::NoGradGuard no_grad;
  auto device = model_->device();
  cache_.select_rows(rows.to(device));
  auto ids = tokens.to(device, torch::kInt64).view({-1, 1});  // (R, 1)
  auto hidden = model_->forward_hidden(ids, torch::ones_like(ids), &cache_);  // (R, 1, H)
  return last_logits(hidden);
}

}  // namespace sidr::decode
