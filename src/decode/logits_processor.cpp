#include "decode/logits_processor.h"

#include <algorithm>
#include <map>
#include <string>

#include "util/error.h"

namespace sidr::decode {

void SamplingOptions::validate() const {
  if (!(temperature > 0)) throw InputError("temperature must be above 0, got " + std::to_string(temperature));
  if (top_k < 0) throw InputError("top-k must be 0 (off) or positive, got " + std::to_string(top_k));
  if (!(top_p > 0 && top_p <= 1)) throw InputError("top-p must be in (0, 1], got " + std::to_string(top_p));
  if (!(repetition_penalty > 0))
    throw InputError("repetition penalty must be above 0 (1 is off), got " + std::to_string(repetition_penalty));
  if (no_repeat_ngram_size < 0)
    throw InputError("no-repeat n-gram size must be 0 (off) or positive, got " + std::to_string(no_repeat_ngram_size));
  for (TokenId t : suppress_tokens)
    if (t < 0) throw InputError("a suppressed token id must not be negative, got " + std::to_string(t));
}

// ---- the list -------------------------------------------------------------------------------------------
torch::Tensor LogitsProcessorList::process(torch::Tensor scores, const std::vector<RowTokens>& rows) const {
  for (const auto& p : items_) scores = p->process(std::move(scores), rows);
  return scores;
}

void LogitsProcessorList::reset(std::int64_t rows) {
  for (auto& p : items_) p->reset(rows);
}

void LogitsProcessorList::advance(const std::vector<std::int64_t>& parents, const std::vector<TokenId>& tokens) {
  for (auto& p : items_) p->advance(parents, tokens);
}

bool LogitsProcessorList::reads_tokens() const {
  return std::any_of(items_.begin(), items_.end(), [](const auto& p) { return p->reads_tokens(); });
}

LogitsProcessorList make_logits_processors(const SamplingOptions& options, LogitsProcessor* constraint, bool warpers) {
  options.validate();
  LogitsProcessorList list;
  if (options.repetition_penalty != 1.0) list.add(std::make_shared<RepetitionPenalty>(options.repetition_penalty));
  if (options.no_repeat_ngram_size > 0) list.add(std::make_shared<NoRepeatNgram>(options.no_repeat_ngram_size));
  if (!options.suppress_tokens.empty()) list.add(std::make_shared<SuppressTokens>(options.suppress_tokens));
  list.add_borrowed(constraint);
  if (warpers) {
    if (options.temperature != 1.0) list.add(std::make_shared<TemperatureWarper>(options.temperature));
    if (options.top_k > 0) list.add(std::make_shared<TopKWarper>(options.top_k));
    if (options.top_p < 1.0) list.add(std::make_shared<TopPWarper>(options.top_p));
  }
  return list;
}

// ---- warpers --------------------------------------------------------------------------------------------
torch::Tensor top_k_filter(const torch::Tensor& scores, std::int64_t k) {
  // scores: (R, V). Keeps entries >= the k-th best value of the row (ties kept, as HF does).
  if (k <= 0 || k >= scores.size(-1)) return scores;
  auto kth = std::get<0>(scores.topk(k, -1)).select(-1, k - 1).unsqueeze(-1);  // (R, 1)
  return scores.masked_fill(scores < kth, kMaskedLogProb);
}

torch::Tensor top_p_filter(const torch::Tensor& scores, double top_p) {
  // HF TopPLogitsWarper: sort ascending, drop the tokens whose cumulative probability is <= 1 - top_p,
  // always keep the best one.
  if (top_p >= 1.0) return scores;
  auto sorted = scores.sort(-1, /*descending=*/false);
  auto sorted_scores = std::get<0>(sorted);                // (R, V)
  auto sorted_index = std::get<1>(sorted);                 // (R, V)
  auto cumulative = sorted_scores.softmax(-1).cumsum(-1);  // (R, V)
  auto remove_sorted = cumulative <= (1.0 - top_p);
  remove_sorted.select(-1, remove_sorted.size(-1) - 1).fill_(false);
  auto remove = remove_sorted.scatter(-1, sorted_index, remove_sorted);
  return scores.masked_fill(remove, kMaskedLogProb);
}

torch::Tensor TemperatureWarper::process(torch::Tensor scores, const std::vector<RowTokens>&) const {
  return temperature_ == 1.0 ? scores : scores / temperature_;
}

torch::Tensor TopKWarper::process(torch::Tensor scores, const std::vector<RowTokens>&) const {
  return top_k_filter(scores, k_);
}

torch::Tensor TopPWarper::process(torch::Tensor scores, const std::vector<RowTokens>&) const {
  return top_p_filter(scores, top_p_);
}

// ---- processors that read the rows' tokens -------------------------------------------------------------
namespace {

// Flat indices row * V + token of the given (row, token) pairs, on `device`.
torch::Tensor flat_index(const std::vector<std::int64_t>& flat, torch::Device device) {
  return torch::tensor(at::ArrayRef<std::int64_t>(flat), torch::kInt64).to(device);
}

}  // namespace

torch::Tensor RepetitionPenalty::process(torch::Tensor scores, const std::vector<RowTokens>& rows) const {
  // HF RepetitionPenaltyLogitsProcessor: every distinct token already in the row, score / p if > 0, else * p.
  const std::int64_t vocab = scores.size(1);
  std::vector<std::int64_t> flat;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    std::vector<TokenId> seen;
    for (std::size_t i = 0; i < rows[r].size(); ++i) seen.push_back(rows[r][i]);
    std::sort(seen.begin(), seen.end());
    seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
    for (TokenId t : seen)
      if (t >= 0 && t < vocab) flat.push_back(static_cast<std::int64_t>(r) * vocab + t);
  }
  if (flat.empty()) return scores;
  auto index = flat_index(flat, scores.device());
  auto view = scores.contiguous().view({-1});
  auto picked = view.index_select(0, index);
  auto penalised = torch::where(picked > 0, picked / penalty_, picked * penalty_);
  return view.index_copy(0, index, penalised).view_as(scores);
}

torch::Tensor NoRepeatNgram::process(torch::Tensor scores, const std::vector<RowTokens>& rows) const {
  // HF NoRepeatNGramLogitsProcessor: the row's last n-1 tokens followed by t must not repeat an n-gram it has.
  const std::int64_t vocab = scores.size(1);
  const auto n = static_cast<std::size_t>(n_);
  std::vector<std::int64_t> flat;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const RowTokens& row = rows[r];
    const std::size_t len = row.size();
    if (len + 1 < n) continue;
    for (std::size_t start = 0; start + n <= len; ++start) {
      bool same = true;
      for (std::size_t j = 0; j + 1 < n && same; ++j) same = row[start + j] == row[len - (n - 1) + j];
      TokenId banned = row[start + n - 1];
      if (same && banned >= 0 && banned < vocab) flat.push_back(static_cast<std::int64_t>(r) * vocab + banned);
    }
  }
  if (flat.empty()) return scores;
  auto view = scores.contiguous().view({-1});
  return view.index_fill(0, flat_index(flat, scores.device()), kMaskedLogProb).view_as(scores);
}

torch::Tensor SuppressTokens::process(torch::Tensor scores, const std::vector<RowTokens>&) const {
  std::vector<std::int64_t> ids;
  for (TokenId t : tokens_)
    if (t < scores.size(1)) ids.push_back(t);
  if (ids.empty()) return scores;
  return scores.index_fill(1, flat_index(ids, scores.device()), kMaskedLogProb);
}

}  // namespace sidr::decode
