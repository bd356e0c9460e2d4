// Constraints on the next token, one kind of LogitsProcessor (decode/logits_processor.h): the constraint keeps a
// state per row (for the SID trie: a trie node per (prompt, beam) row), masks the log-probabilities of the
// current rows, and follows the rows as the search reorders them and appends tokens.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include <torch/torch.h>

#include "decode/logits_processor.h"
#include "sid/trie.h"

namespace sidr::decode {

// A processor that only removes tokens, and can say which: the search checks allows() on the candidates it keeps.
class LogitsConstraint : public LogitsProcessor {
 public:
  // Every one of `rows` rows starts in the initial state.
  void reset(std::int64_t rows) override = 0;
  // log_probs: (R, V). Sets every disallowed entry to kMaskedLogProb, in place.
  virtual void apply(torch::Tensor& log_probs) const = 0;
  virtual bool allows(std::int64_t row, TokenId token) const = 0;
  // New row i = old row parents[i] followed by tokens[i].
  void advance(const std::vector<std::int64_t>& parents, const std::vector<TokenId>& tokens) override = 0;
  // As a processor: the mask, in place.
  torch::Tensor process(torch::Tensor scores, const std::vector<RowTokens>& /*rows*/) const override {
    apply(scores);
    return scores;
  }
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
