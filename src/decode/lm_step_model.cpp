#include "decode/lm_step_model.h"

#include <algorithm>
#include <stdexcept>

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

namespace {

// Length of the longest common prefix of a and the first `limit` tokens of b.
std::size_t common_prefix(const std::vector<TokenId>& a, const std::vector<TokenId>& b, std::size_t limit) {
  std::size_t n = std::min({a.size(), b.size(), limit});
  std::size_t i = 0;
  while (i < n && a[i] == b[i]) ++i;
  return i;
}

}  // namespace

std::size_t LmStepModel::prepare_shared_prefix(const std::vector<std::vector<TokenId>>& prompts) {
  // Every row keeps at least its last token out of the span: its hidden state gives the next-token logits.
  std::size_t shared = prompts[0].size() - 1;
  for (const auto& p : prompts) shared = std::min(shared, p.size() - 1);
  if (prompts.size() > 1 || !prefix_ids_.empty()) {
    for (const auto& p : prompts) shared = common_prefix(prompts[0], p, shared);
  } else {
    shared = 0;  // one prompt and nothing cached: no evidence of what other prompts share
  }
  // The cached span still fits: keep it (a batch whose prompts happen to share more does not evict it).
  if (!prefix_ids_.empty() && prefix_ids_.size() <= shared &&
      common_prefix(prefix_ids_, prompts[0], prefix_ids_.size()) == prefix_ids_.size())
    return prefix_ids_.size();
  // Otherwise the new span is what this batch shares with the previous span (the instruction all prompts have),
  // or the batch's own common prefix the first time.
  if (!prefix_ids_.empty()) {
    std::size_t with_old = common_prefix(prefix_ids_, prompts[0], shared);
    if (with_old >= min_shared_prefix_) shared = with_old;
    else if (prompts.size() == 1) return 0;  // a lone prompt is no evidence of a new shared span
  }
  if (shared < min_shared_prefix_) return 0;
  prefix_ids_.assign(prompts[0].begin(), prompts[0].begin() + static_cast<std::ptrdiff_t>(shared));
  prefix_cache_.clear();
  auto device = model_->device();
  std::vector<std::int64_t> ids(prefix_ids_.begin(), prefix_ids_.end());
  auto input = torch::tensor(at::ArrayRef<std::int64_t>(ids), torch::kInt64).view({1, -1}).to(device);  // (1, P)
  model_->forward_hidden(input, torch::ones_like(input), &prefix_cache_);
  return shared;
}

torch::Tensor LmStepModel::start(const std::vector<std::vector<TokenId>>& prompts) {
  torch::NoGradGuard no_grad;
  if (prompts.empty()) throw InputError("decode: no prompts");
  for (const auto& p : prompts) {
    if (p.empty()) throw InputError("decode: a prompt has no tokens");
    for (TokenId id : p)
      if (id < 0 || id >= vocab_size())
        throw InputError("decode: token id " + std::to_string(id) + " is outside the model's vocabulary of " +
                         std::to_string(vocab_size()));
  }
  cache_.clear();
  auto device = model_->device();
  const std::size_t shared = prepare_shared_prefix(prompts);
  if (shared == 0) {
    auto [ids, mask] = left_pad(prompts, pad_id_);  // (N, T)
    auto hidden = model_->forward_hidden(ids.to(device), mask.to(device), &cache_);  // (N, T, H)
    return last_logits(hidden);
  }
  // The shared span's keys/values broadcast to the N rows (views; the first append copies them into a buffer).
  const auto n = static_cast<std::int64_t>(prompts.size());
  for (std::size_t i = 0; i < prefix_cache_.keys.size(); ++i) {
    auto k = prefix_cache_.layer_keys(i);  // (1, KV, P, D)
    auto v = prefix_cache_.layer_values(i);
    cache_.keys.push_back(k.expand({n, k.size(1), k.size(2), k.size(3)}));
    cache_.values.push_back(v.expand({n, v.size(1), v.size(2), v.size(3)}));
  }
  cache_.attention_mask = prefix_cache_.attention_mask.expand({n, -1});  // (N, P) of ones
  std::vector<std::vector<TokenId>> rest;
  rest.reserve(prompts.size());
  for (const auto& p : prompts) rest.emplace_back(p.begin() + static_cast<std::ptrdiff_t>(shared), p.end());
  auto [ids, mask] = left_pad(rest, pad_id_);  // (N, T - P)
  auto hidden = model_->forward_hidden(ids.to(device), mask.to(device), &cache_);  // (N, T - P, H)
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

namespace {

struct SavedCache : SavedRows {
  model::KvCache cache;
  std::int64_t rows() const override { return cache.batch_size(); }
};

}  // namespace

std::shared_ptr<const SavedRows> LmStepModel::save(const torch::Tensor& rows) {
  torch::NoGradGuard no_grad;
  auto saved = std::make_shared<SavedCache>();
  saved->cache = cache_;  // shares the buffers; select_rows gathers into new ones
  saved->cache.select_rows(rows.to(model_->device()));
  return saved;
}

torch::Tensor LmStepModel::resume(const std::vector<Continuation>& rows) {
  torch::NoGradGuard no_grad;
  if (rows.empty()) throw InputError("decode: nothing to resume");
  std::vector<const model::KvCache*> caches;
  std::vector<std::vector<TokenId>> tokens;
  for (const auto& c : rows) {
    const auto* saved = dynamic_cast<const SavedCache*>(c.saved.get());
    if (!saved) throw std::logic_error("LmStepModel::resume: rows saved by another model");
    if (c.row < 0 || c.row >= saved->rows() || c.forget < 0 || c.forget >= saved->cache.length())
      throw std::logic_error("LmStepModel::resume: row or forget count out of range");
    if (c.tokens.empty()) throw InputError("decode: a continuation has no tokens");
    for (TokenId id : c.tokens)
      if (id < 0 || id >= vocab_size())
        throw InputError("decode: token id " + std::to_string(id) + " is outside the model's vocabulary of " +
                         std::to_string(vocab_size()));
    caches.push_back(&saved->cache);
    tokens.push_back(c.tokens);
  }
  std::vector<std::int64_t> which, forget;
  for (const auto& c : rows) {
    which.push_back(c.row);
    forget.push_back(c.forget);
  }
  cache_ = model::gather_cache_rows(caches, which, forget);
  auto [ids, mask] = left_pad(tokens, pad_id_);  // (R, T)
  auto device = model_->device();
  auto hidden = model_->forward_hidden(ids.to(device), mask.to(device), &cache_);  // (R, T, H)
  return last_logits(hidden);
}

}  // namespace sidr::decode
