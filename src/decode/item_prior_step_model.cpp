#include "decode/item_prior_step_model.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace sidr::decode {

namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

double log_add(double a, double b) {
  if (a == kNegInf) return b;
  if (b == kNegInf) return a;
  double hi = std::max(a, b);
  return hi + std::log1p(std::exp(-std::abs(a - b)));
}

sid::Trie build_item_trie(const std::vector<std::vector<TokenId>>& item_paths, std::int64_t vocab_size) {
  if (item_paths.empty()) throw std::invalid_argument("an item prior needs at least one item");
  for (const auto& path : item_paths) {
    if (path.empty()) throw std::invalid_argument("an item's token path is empty");
    for (TokenId t : path)
      if (t < 0 || t >= vocab_size)
        throw std::invalid_argument("token " + std::to_string(t) + " is outside the vocabulary");
  }
  return sid::Trie::build(item_paths);  // payload i = item i
}

}  // namespace

ItemPriorStepModel::ItemPriorStepModel(std::vector<std::vector<TokenId>> item_paths, std::int64_t vocab_size,
                                       std::shared_ptr<ItemScorer> scorer)
    : vocab_size_(vocab_size), scorer_(std::move(scorer)), trie_(build_item_trie(item_paths, vocab_size)) {
  if (!scorer_) throw std::invalid_argument("an item prior needs an item scorer");
  if (scorer_->num_items() != static_cast<std::int64_t>(item_paths.size()))
    throw std::invalid_argument("the item scorer scores " + std::to_string(scorer_->num_items()) +
                                " items, the prior has " + std::to_string(item_paths.size()) + " paths");
  parent_.assign(trie_.node_count(), sid::kNoNode);
  for (std::size_t n = 0; n < trie_.node_count(); ++n) {
    const auto node = static_cast<sid::NodeId>(n);
    for (const TokenId* t = trie_.tokens_begin(node); t != trie_.tokens_end(node); ++t)
      parent_[static_cast<std::size_t>(trie_.child(node, *t))] = node;
  }
}

std::vector<double> ItemPriorStepModel::node_log_mass(const torch::Tensor& item_log_probs) const {
  if (item_log_probs.dim() != 1 || item_log_probs.size(0) != static_cast<std::int64_t>(trie_.sequence_count()))
    throw std::invalid_argument("the item scorer must give " + std::to_string(trie_.sequence_count()) +
                                " log-probs per prompt");
  auto lp = item_log_probs.to(torch::kCPU, torch::kFloat64).contiguous();
  const double* p = lp.data_ptr<double>();
  std::vector<double> mass(trie_.node_count(), kNegInf);
  for (std::size_t n = 0; n < trie_.node_count(); ++n)
    for (auto item : trie_.payloads(static_cast<sid::NodeId>(n))) mass[n] = log_add(mass[n], p[item]);
  // Children come after their parent (breadth-first numbering): one backward pass sums every subtree.
  for (std::size_t n = trie_.node_count(); n-- > 1;)
    mass[static_cast<std::size_t>(parent_[n])] = log_add(mass[static_cast<std::size_t>(parent_[n])], mass[n]);
  return mass;
}

torch::Tensor ItemPriorStepModel::next_token_log_probs() const {
  const auto rows = static_cast<std::int64_t>(row_node_.size());
  auto out = torch::zeros({rows, vocab_size_}, torch::kFloat32);
  float* data = out.data_ptr<float>();
  for (std::int64_t r = 0; r < rows; ++r) {
    const sid::NodeId node = row_node_[static_cast<std::size_t>(r)];
    const auto& mass = prompt_mass_[static_cast<std::size_t>(row_prompt_[static_cast<std::size_t>(r)])];
    if (node == sid::kNoNode || mass.empty() || trie_.child_count(node) == 0) continue;  // neutral: uniform
    // Normalised over the continuing items only (an item whose path ends here takes no part).
    double total = kNegInf;
    for (const TokenId* t = trie_.tokens_begin(node); t != trie_.tokens_end(node); ++t)
      total = log_add(total, mass[static_cast<std::size_t>(trie_.child(node, *t))]);
    if (total == kNegInf) continue;  // every continuing item has probability 0
    float* row = data + r * vocab_size_;
    std::fill(row, row + vocab_size_, -std::numeric_limits<float>::infinity());
    for (const TokenId* t = trie_.tokens_begin(node); t != trie_.tokens_end(node); ++t)
      row[*t] = static_cast<float>(mass[static_cast<std::size_t>(trie_.child(node, *t))] - total);
  }
  return out;
}

torch::Tensor ItemPriorStepModel::start(const std::vector<std::vector<TokenId>>& prompts) {
  auto scores = scorer_->item_log_probs(prompts);
  if (scores.size() != prompts.size())
    throw std::invalid_argument("the item scorer gave " + std::to_string(scores.size()) + " distributions for " +
                                std::to_string(prompts.size()) + " prompts");
  prompt_mass_.clear();
  for (const auto& s : scores) prompt_mass_.push_back(s.defined() ? node_log_mass(s) : std::vector<double>{});
  row_prompt_.resize(prompts.size());
  for (std::size_t i = 0; i < prompts.size(); ++i) row_prompt_[i] = static_cast<std::int64_t>(i);
  row_node_.assign(prompts.size(), trie_.root());
  prompt_ids_ = prompts;
  row_appended_.assign(prompts.size(), {});
  return next_token_log_probs();
}

namespace {
struct SavedIds : SavedRows {
  std::vector<std::vector<TokenId>> ids;
  std::int64_t rows() const override { return static_cast<std::int64_t>(ids.size()); }
};
}  // namespace

std::shared_ptr<const SavedRows> ItemPriorStepModel::save(const torch::Tensor& rows) {
  auto index = rows.to(torch::kCPU, torch::kInt64).contiguous();
  auto saved = std::make_shared<SavedIds>();
  for (std::int64_t i = 0; i < index.numel(); ++i) {
    const std::int64_t r = index.data_ptr<std::int64_t>()[i];
    if (r < 0 || r >= static_cast<std::int64_t>(row_appended_.size()))
      throw std::invalid_argument("save: row index out of range");
    const auto row = static_cast<std::size_t>(r);
    auto ids = prompt_ids_[static_cast<std::size_t>(row_prompt_[row])];
    ids.insert(ids.end(), row_appended_[row].begin(), row_appended_[row].end());
    saved->ids.push_back(std::move(ids));
  }
  return saved;
}

torch::Tensor ItemPriorStepModel::resume(const std::vector<Continuation>& rows) {
  std::vector<std::vector<TokenId>> prompts;
  for (const auto& c : rows) {
    const auto* saved = dynamic_cast<const SavedIds*>(c.saved.get());
    if (!saved) throw std::logic_error("ItemPriorStepModel::resume: rows saved by another model");
    if (c.row < 0 || c.row >= saved->rows()) throw std::invalid_argument("resume: row index out of range");
    auto ids = saved->ids[static_cast<std::size_t>(c.row)];
    if (c.forget < 0 || c.forget > static_cast<std::int64_t>(ids.size()))
      throw std::invalid_argument("resume: forget exceeds the row's length");
    ids.resize(ids.size() - static_cast<std::size_t>(c.forget));
    ids.insert(ids.end(), c.tokens.begin(), c.tokens.end());
    prompts.push_back(std::move(ids));
  }
  return start(prompts);
}

torch::Tensor ItemPriorStepModel::step(const torch::Tensor& rows, const torch::Tensor& tokens) {
  auto parents = rows.to(torch::kCPU, torch::kInt64).contiguous();
  auto appended = tokens.to(torch::kCPU, torch::kInt64).contiguous();
  if (parents.numel() != appended.numel()) throw std::invalid_argument("step: one token per row");
  const std::int64_t* parent = parents.data_ptr<std::int64_t>();
  const std::int64_t* token = appended.data_ptr<std::int64_t>();
  std::vector<std::int64_t> prompt(static_cast<std::size_t>(parents.numel()));
  std::vector<sid::NodeId> node(prompt.size());
  for (std::size_t i = 0; i < prompt.size(); ++i) {
    const auto from = static_cast<std::size_t>(parent[i]);
    if (parent[i] < 0 || from >= row_node_.size()) throw std::invalid_argument("step: row index out of range");
    prompt[i] = row_prompt_[from];
    node[i] = row_node_[from] == sid::kNoNode ? sid::kNoNode
                                              : trie_.child(row_node_[from], static_cast<TokenId>(token[i]));
  }
  std::vector<std::vector<TokenId>> row_tokens(prompt.size());
  for (std::size_t i = 0; i < prompt.size(); ++i) {
    row_tokens[i] = row_appended_[static_cast<std::size_t>(parent[i])];
    row_tokens[i].push_back(static_cast<TokenId>(token[i]));
  }
  row_prompt_ = std::move(prompt);
  row_node_ = std::move(node);
  row_appended_ = std::move(row_tokens);
  return next_token_log_probs();
}

}  // namespace sidr::decode
