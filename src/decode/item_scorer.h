// Where an item prior's distribution comes from: a scorer asked, at the start of every search, for each
// prompt's distribution over the catalog's items (SASRec after the user's history, a popularity table, a
// fixed table in tests). The prior (decode/item_prior_step_model.h) calls it from start(), so no caller has to
// feed it per batch.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "decode/step_model.h"

namespace sidr::decode {

class ItemScorer {
 public:
  virtual ~ItemScorer() = default;
  virtual std::int64_t num_items() const = 0;
  // One entry per prompt: a (num_items) tensor of item log-probabilities (any normalisation, any device), or
  // an undefined tensor for a prompt that starts no item search (e.g. the greedy thought of think mode): the
  // prior is then neutral (uniform) for that prompt's rows.
  virtual std::vector<torch::Tensor> item_log_probs(const std::vector<std::vector<TokenId>>& prompts) = 0;
};

// A table given up front: row i of `log_probs` (prompts, items) is prompt i's distribution, whatever the
// prompt's tokens (for callers that already hold the distributions, and for tests).
class FixedItemScorer : public ItemScorer {
 public:
  explicit FixedItemScorer(torch::Tensor log_probs) : log_probs_(std::move(log_probs)) {
    if (log_probs_.dim() != 2) throw std::invalid_argument("item log-probs must be (prompts, items)");
  }
  std::int64_t num_items() const override { return log_probs_.size(1); }
  std::vector<torch::Tensor> item_log_probs(const std::vector<std::vector<TokenId>>& prompts) override {
    if (static_cast<std::int64_t>(prompts.size()) != log_probs_.size(0))
      throw std::invalid_argument("a fixed item table has " + std::to_string(log_probs_.size(0)) +
                                  " rows, the search started " + std::to_string(prompts.size()) + " prompts");
    std::vector<torch::Tensor> out;
    for (std::int64_t i = 0; i < log_probs_.size(0); ++i) out.push_back(log_probs_[i]);
    return out;
  }

 private:
  torch::Tensor log_probs_;
};

}  // namespace sidr::decode
