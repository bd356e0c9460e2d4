#include "decode/constraint.h"

#include <algorithm>

namespace sidr::decode {

TrieConstraint::TrieConstraint(std::shared_ptr<const sid::Trie> trie, TokenId end_token)
    : trie_(std::move(trie)), end_token_(end_token) {}

void TrieConstraint::reset(std::int64_t rows) { nodes_.assign(static_cast<std::size_t>(rows), trie_->root()); }

void TrieConstraint::apply(torch::Tensor& log_probs) const {
  // log_probs: (R, V). Gather the allowed entries, fill the row with the mask value, scatter them back.
  const std::int64_t rows = log_probs.size(0);
  const std::int64_t vocab = log_probs.size(1);
  TORCH_CHECK(rows == static_cast<std::int64_t>(nodes_.size()), "TrieConstraint: ", rows, " rows but state for ",
              nodes_.size());
  std::vector<std::int64_t> flat;  // row * V + token of every allowed entry
  for (std::int64_t r = 0; r < rows; ++r) {
    sid::NodeId node = nodes_[static_cast<std::size_t>(r)];
    if (node == sid::kNoNode || trie_->child_count(node) == 0) {
      flat.push_back(r * vocab + end_token_);
      continue;
    }
    for (const TokenId* t = trie_->tokens_begin(node); t != trie_->tokens_end(node); ++t)
      if (*t < vocab) flat.push_back(r * vocab + *t);
  }
  auto index = torch::from_blob(flat.data(), {static_cast<std::int64_t>(flat.size())}, torch::kInt64)
                   .to(log_probs.device());
  auto view = log_probs.view({-1});
  auto kept = view.index_select(0, index);  // (n_allowed)
  view.fill_(kMaskedLogProb);
  view.index_copy_(0, index, kept);
}

bool TrieConstraint::allows(std::int64_t row, TokenId token) const {
  sid::NodeId node = nodes_.at(static_cast<std::size_t>(row));
  if (node == sid::kNoNode || trie_->child_count(node) == 0) return token == end_token_;
  return trie_->child(node, token) != sid::kNoNode;
}

void TrieConstraint::advance(const std::vector<std::int64_t>& parents, const std::vector<TokenId>& tokens) {
  std::vector<sid::NodeId> next(parents.size());
  for (std::size_t i = 0; i < parents.size(); ++i) {
    sid::NodeId from = nodes_.at(static_cast<std::size_t>(parents[i]));
    next[i] = from == sid::kNoNode ? sid::kNoNode : trie_->child(from, tokens[i]);
  }
  nodes_ = std::move(next);
}

}  // namespace sidr::decode
