// SASRec runs as the item prior's scorer (decode/item_scorer.h): each prompt's item distribution is SASRec's
// softmax after that prompt's history. The caller registers every prompt it will search from with its history
// (add_context); a search prompt is matched to the longest registered prompt it starts with, so the search
// after a think-mode thought (prompt + thought, re-encoded) finds its user's history too.
// Several runs (e.g. seeds) are averaged in probability, then the temperature divides the log-probs.
#pragma once
#include <cstdint>
#include <map>
#include <set>
#include <vector>

#include "baseline/sasrec_scorer.h"
#include "decode/item_scorer.h"

namespace sidr::eval {

class HistoryItemScorer : public decode::ItemScorer {
 public:
  // runs: at least one, all over the same items. search_marker: the prompt ending that starts a SID search
  // (think mode: the tokens of "</think>\n\n"); a prompt not ending with it is declined (the prior stays
  // neutral, e.g. while the thought is generated). Empty: every prompt starts one.
  HistoryItemScorer(std::vector<baseline::SasrecScorer> runs, double temperature,
                    std::vector<decode::TokenId> search_marker);

  // The history (item ids, oldest first, non-empty) of the user whose prompt this is.
  void add_context(const std::vector<decode::TokenId>& prompt, std::vector<std::int64_t> history);
  // Forgets every registered prompt (a server does this after each batch, so the map stays bounded).
  void clear_contexts() {
    histories_.clear();
    lengths_.clear();
  }

  std::int64_t num_items() const override { return runs_.front().num_items(); }
  // std::runtime_error for a search prompt that starts with no registered prompt.
  std::vector<torch::Tensor> item_log_probs(const std::vector<std::vector<decode::TokenId>>& prompts) override;

 private:
  const std::vector<std::int64_t>& history_of(const std::vector<decode::TokenId>& prompt) const;

  std::vector<baseline::SasrecScorer> runs_;
  double temperature_;
  std::vector<decode::TokenId> search_marker_;
  std::map<std::vector<decode::TokenId>, std::vector<std::int64_t>> histories_;  // registered prompt -> history
  std::set<std::size_t> lengths_;                                                 // of the registered prompts
};

}  // namespace sidr::eval
