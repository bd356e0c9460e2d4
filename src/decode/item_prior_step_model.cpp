#include "decode/item_prior_step_model.h"

#include <limits>
#include <stdexcept>
#include <string>

namespace sidr::decode {

ItemPriorStepModel::ItemPriorStepModel(std::vector<std::vector<TokenId>> item_paths, std::int64_t vocab_size)
    : vocab_size_(vocab_size) {
  if (item_paths.empty()) throw std::invalid_argument("an item prior needs at least one item");
  for (const auto& path : item_paths) {
    if (path.empty()) throw std::invalid_argument("an item's token path is empty");
    max_depth_ = std::max<std::int64_t>(max_depth_, static_cast<std::int64_t>(path.size()));
  }
  paths_ = torch::full({static_cast<std::int64_t>(item_paths.size()), max_depth_}, -1, torch::kInt64);
  auto acc = paths_.accessor<std::int64_t, 2>();
  for (std::size_t i = 0; i < item_paths.size(); ++i)
    for (std::size_t d = 0; d < item_paths[i].size(); ++d) {
      TokenId t = item_paths[i][d];
      if (t < 0 || t >= vocab_size) throw std::invalid_argument("token " + std::to_string(t) + " is outside the vocabulary");
      acc[static_cast<std::int64_t>(i)][static_cast<std::int64_t>(d)] = t;
    }
}

void ItemPriorStepModel::set_item_log_probs(torch::Tensor log_probs) {
  if (log_probs.dim() != 2 || log_probs.size(1) != paths_.size(0))
    throw std::invalid_argument("item log-probs must be (prompts, " + std::to_string(paths_.size(0)) + ")");
  pending_ = torch::log_softmax(log_probs.to(torch::kCPU, torch::kFloat64), -1);
}

torch::Tensor ItemPriorStepModel::next_token_log_probs() const {
  const std::int64_t rows = row_log_probs_.size(0);
  auto out = torch::zeros({rows, vocab_size_}, torch::kFloat32);
  if (depth_ >= max_depth_ || rows == 0) return out;
  auto next = paths_.select(1, depth_);                      // (items)
  auto alive = next.ge(0);                                   // items whose path goes on
  auto log_p = row_log_probs_.masked_fill(alive.logical_not().unsqueeze(0), -std::numeric_limits<double>::infinity());
  auto top = std::get<0>(log_p.max(1, /*keepdim=*/true));    // (R, 1)
  auto usable = top.isfinite().squeeze(1);                   // rows with some consistent, continuing item
  auto shift = torch::where(top.isfinite(), top, torch::zeros_like(top));
  auto p = (log_p - shift).exp();                            // (R, items), 0 for excluded items
  auto mass = torch::zeros({rows, vocab_size_}, torch::kFloat64);
  mass.scatter_add_(1, next.clamp_min(0).unsqueeze(0).expand({rows, -1}), p);
  auto conditional = mass.log() - mass.sum(1, true).log();   // -inf where no item continues with that token
  return torch::where(usable.unsqueeze(1), conditional.to(torch::kFloat32), out);
}

torch::Tensor ItemPriorStepModel::start(const std::vector<std::vector<TokenId>>& prompts) {
  if (!pending_.defined() || pending_.size(0) != static_cast<std::int64_t>(prompts.size()))
    throw std::logic_error("ItemPriorStepModel::start: set_item_log_probs() must give one row per prompt first");
  row_log_probs_ = pending_;
  pending_ = torch::Tensor();
  depth_ = 0;
  return next_token_log_probs();
}

torch::Tensor ItemPriorStepModel::step(const torch::Tensor& rows, const torch::Tensor& tokens) {
  row_log_probs_ = row_log_probs_.index_select(0, rows.to(torch::kCPU, torch::kInt64));
  if (depth_ < max_depth_) {
    auto next = paths_.select(1, depth_);  // (items)
    auto mismatch = next.unsqueeze(0).ne(tokens.to(torch::kCPU, torch::kInt64).unsqueeze(1));  // (R, items)
    row_log_probs_ = row_log_probs_.masked_fill(mismatch, -std::numeric_limits<double>::infinity());
  }
  ++depth_;
  return next_token_log_probs();
}

}  // namespace sidr::decode
