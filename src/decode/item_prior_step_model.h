// A distribution over catalog items as a step model, so that beam search can mix it with a language model
// (EnsembleStepModel): every item is a token path (its SID's level tokens, then "\n" and the end token, as in
// the reference trie), and the next-token distribution after a prefix is the item distribution conditioned
// on that prefix, p(t | prefix) = sum of p(item) over items whose path continues prefix with t, normalised.
// The product of these conditionals along a path is exactly the summed probability of the items with that
// SID, so a full beam search over this model alone ranks SIDs by p(SID).
//
// Keyed by trie node: the item paths form a trie; start() asks the injected ItemScorer for each prompt's item
// distribution and sums it once into a log-mass per trie node; every row then only follows its own node from
// the tokens it appends. A step costs rows x branching (plus writing the (rows, vocab) output), whatever the
// catalog's size, and rows need not advance together. The SID search begins at start(): in think mode that is
// the search after the thought (the scorer declines the thought's own prompt, which keeps the prior neutral).
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "decode/item_scorer.h"
#include "decode/step_model.h"
#include "sid/trie.h"

namespace sidr::decode {

class ItemPriorStepModel : public StepModel {
 public:
  // item_paths[i]: the token path of item i (non-empty, tokens in [0, vocab_size)). Items may share a path
  // (SID collisions); paths may have different lengths. scorer: num_items() == item_paths.size().
  // std::invalid_argument otherwise.
  ItemPriorStepModel(std::vector<std::vector<TokenId>> item_paths, std::int64_t vocab_size,
                     std::shared_ptr<ItemScorer> scorer);

  // Returns log-probabilities over the vocabulary: -inf where no item continues the prefix, and all zeros
  // (uniform) for a row whose prefix no item continues, whose items' paths have all ended, or whose prompt
  // the scorer declined.
  torch::Tensor start(const std::vector<std::vector<TokenId>>& prompts) override;
  torch::Tensor step(const torch::Tensor& rows, const torch::Tensor& tokens) override;
  std::int64_t vocab_size() const override { return vocab_size_; }

  // Continuation (think mode: the SID search after a thought): a saved row keeps the ids it was fed; a resumed
  // row's ids (saved ids, less `forget`, plus the new tokens) are a new prompt, so resume() is start() on them:
  // the scorer is asked again (now the prompt ends with the search marker) and the row sits at the trie root.
  std::shared_ptr<const SavedRows> save(const torch::Tensor& rows) override;
  torch::Tensor resume(const std::vector<Continuation>& rows) override;

 private:
  // log of the summed probability of the items under each trie node (item distribution normalised).
  std::vector<double> node_log_mass(const torch::Tensor& item_log_probs) const;
  torch::Tensor next_token_log_probs() const;

  std::int64_t vocab_size_;
  std::shared_ptr<ItemScorer> scorer_;
  sid::Trie trie_;                     // the item paths; payload = item id
  std::vector<sid::NodeId> parent_;    // per node; the root's is kNoNode (breadth-first: parent < child)
  // Per started prompt: the node log-masses, empty when the scorer declined the prompt.
  std::vector<std::vector<double>> prompt_mass_;
  std::vector<std::int64_t> row_prompt_;  // per row: its prompt
  std::vector<sid::NodeId> row_node_;     // per row: its trie node, kNoNode once off the trie
  // For save(): a row's ids are its prompt's ids then its appended tokens (kept apart, so that a step copies only
  // the few tokens appended, not the prompt).
  std::vector<std::vector<TokenId>> prompt_ids_;    // per started prompt
  std::vector<std::vector<TokenId>> row_appended_;  // per row
};

}  // namespace sidr::decode
