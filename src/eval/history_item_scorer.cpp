#include "eval/history_item_scorer.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace sidr::eval {

HistoryItemScorer::HistoryItemScorer(std::vector<baseline::SasrecScorer> runs, double temperature,
                                     std::vector<decode::TokenId> search_marker)
    : runs_(std::move(runs)), temperature_(temperature), search_marker_(std::move(search_marker)) {
  if (runs_.empty()) throw std::invalid_argument("a history item scorer needs at least one SASRec run");
  for (auto& run : runs_)
    if (run.num_items() != runs_.front().num_items())
      throw std::invalid_argument("SASRec runs averaged together must share one catalog");
  if (!(temperature_ > 0)) throw std::invalid_argument("the SASRec temperature must be positive");
}

void HistoryItemScorer::add_context(const std::vector<decode::TokenId>& prompt, std::vector<std::int64_t> history) {
  if (history.empty()) throw std::invalid_argument("a prompt's history is empty");
  histories_[prompt] = std::move(history);
  lengths_.insert(prompt.size());
}

const std::vector<std::int64_t>& HistoryItemScorer::history_of(const std::vector<decode::TokenId>& prompt) const {
  for (auto it = lengths_.rbegin(); it != lengths_.rend(); ++it) {
    if (*it > prompt.size()) continue;
    auto found = histories_.find(std::vector<decode::TokenId>(prompt.begin(), prompt.begin() + *it));
    if (found != histories_.end()) return found->second;
  }
  throw std::runtime_error("SASRec fusion: a search prompt (" + std::to_string(prompt.size()) +
                           " tokens) starts with no prompt whose history was registered");
}

std::vector<torch::Tensor> HistoryItemScorer::item_log_probs(const std::vector<std::vector<decode::TokenId>>& prompts) {
  std::vector<std::size_t> searching;  // prompts that start a SID search
  std::vector<std::vector<std::int64_t>> histories;
  for (std::size_t i = 0; i < prompts.size(); ++i) {
    const auto& p = prompts[i];
    if (p.size() < search_marker_.size() ||
        !std::equal(search_marker_.begin(), search_marker_.end(), p.end() - static_cast<std::ptrdiff_t>(search_marker_.size())))
      continue;
    searching.push_back(i);
    histories.push_back(history_of(p));
  }
  std::vector<torch::Tensor> out(prompts.size());
  if (searching.empty()) return out;
  // The runs' item distributions averaged (log of the mean probability), then the temperature.
  std::vector<torch::Tensor> run_log_probs;
  for (auto& run : runs_) run_log_probs.push_back(run.log_probs(histories));
  auto log_probs = run_log_probs.size() == 1 ? run_log_probs.front()
                                             : torch::logsumexp(torch::stack(run_log_probs), 0) -
                                                   std::log(static_cast<double>(run_log_probs.size()));
  if (temperature_ != 1.0) log_probs = log_probs / temperature_;
  for (std::size_t k = 0; k < searching.size(); ++k) out[searching[k]] = log_probs[static_cast<std::int64_t>(k)];
  return out;
}

}  // namespace sidr::eval
