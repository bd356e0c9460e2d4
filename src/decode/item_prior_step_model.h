// A distribution over catalog items as a step model, so that beam search can mix it with a language model
// (EnsembleStepModel): every item is a token path (its SID's level tokens, then "\n" and the end token, as in
// the reference trie), and the next-token distribution after a prefix is the item distribution conditioned
// on that prefix, p(t | prefix) = sum of p(item) over items whose path continues prefix with t, normalised.
// The product of these conditionals along a path is exactly the summed probability of the items with that
// SID, so a full beam search over this model alone ranks SIDs by p(SID).
//
// The item distribution comes from outside (e.g. SASRec's softmax over items for each user's history): call
// set_item_log_probs() with one row per prompt before each start().
#pragma once
#include <cstdint>
#include <vector>

#include "decode/step_model.h"

namespace sidr::decode {

class ItemPriorStepModel : public StepModel {
 public:
  // item_paths[i]: the token path of item i (non-empty, tokens in [0, vocab_size)). Items may share a path
  // (SID collisions); paths may have different lengths. std::invalid_argument otherwise.
  ItemPriorStepModel(std::vector<std::vector<TokenId>> item_paths, std::int64_t vocab_size);

  // (N, items) log-probabilities (any normalisation: rows are renormalised over items) for the next start().
  void set_item_log_probs(torch::Tensor log_probs);

  // Returns log-probabilities over the vocabulary: -inf where no item continues the prefix, and all zeros
  // (uniform) for a row whose prefix no item continues or whose items' paths have all ended.
  torch::Tensor start(const std::vector<std::vector<TokenId>>& prompts) override;
  torch::Tensor step(const torch::Tensor& rows, const torch::Tensor& tokens) override;
  std::int64_t vocab_size() const override { return vocab_size_; }

 private:
  torch::Tensor next_token_log_probs() const;
  std::int64_t vocab_size_;
  std::int64_t max_depth_ = 0;
  torch::Tensor paths_;        // (items, max_depth) int64 token ids, -1 past an item's end
  torch::Tensor pending_;      // set_item_log_probs() input, consumed by start()
  torch::Tensor row_log_probs_;  // (R, items) float64: log p(item) for items still consistent, -inf otherwise
  std::int64_t depth_ = 0;     // tokens generated so far (all rows advance together)
};

}  // namespace sidr::decode
