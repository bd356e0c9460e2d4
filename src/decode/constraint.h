// Constraints on the next token, LogitsProcessor style: the constraint keeps a state per row (for the SID trie:
// a trie node per (prompt, beam) row), masks the log-probabilities of the current rows, and follows the rows
// as the search reorders them and appends tokens.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include <torch/torch.h>

#include "sid/trie.h"

namespace sidr::decode {

using TokenId = std::int32_t;

// Disallowed tokens get this log-probability: finite, so that beam arithmetic (score + log p, softmax over
// accumulated scores, division by a temperature) never meets inf - inf or NaN, and low enough that a masked
// candidate always sorts below every allowed one (real log-probs are above -1e4).
inline constexpr float kMaskedLogProb = -1.0e9f;

class LogitsConstraint {
 public:
  virtual ~LogitsConstraint() = default;
  // Every one of `rows` rows starts in the initial state.
  virtual void reset(std::int64_t rows) = 0;
  // log_probs: (R, V). Sets every disallowed entry to kMaskedLogProb, in place.
  virtual void apply(torch::Tensor& log_probs) const = 0;
  virtual bool allows(std::int64_t row, TokenId token) const = 0;
  // New row i = old row parents[i] followed by tokens[i].
  virtual void advance(const std::vector<std::int64_t>& parents, const std::vector<TokenId>& tokens) = 0;
};

// The reference's prefix_allowed_tokens_fn over a trie: a row at node n may emit n's children; a row whose
// path left the trie, or reached a leaf, may only emit the end token (as the reference's lookup does for an
// unknown key).
class TrieConstraint : public LogitsConstraint {
 public:
  TrieConstraint(std::shared_ptr<const sid::Trie> trie, TokenId end_token);
  void reset(std::int64_t rows) override;
  void apply(torch::Tensor& log_probs) const override;
  bool allows(std::int64_t row, TokenId token) const override;
  void advance(const std::vector<std::int64_t>& parents, const std::vector<TokenId>& tokens) override;

  sid::NodeId node(std::int64_t row) const { return nodes_.at(static_cast<std::size_t>(row)); }

 private:
  std::shared_ptr<const sid::Trie> trie_;
  TokenId end_token_;
  std::vector<sid::NodeId> nodes_;  // (R) current trie node per row; kNoNode once off the trie
};

}  // namespace sidr::decode
