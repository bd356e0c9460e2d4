// Logits processors, the shape of HF's LogitsProcessorList and CTranslate2's make_logits_processors: each one
// rewrites the next-token scores (R, V) of the current rows, some from each row's tokens so far, some (the SID
// trie constraint, decode/constraint.h) from a state that follows the rows as the search reorders them.
// make_logits_processors() builds the list from the options in HF's order: repetition penalty, no-repeat
// n-gram, suppressed tokens, [the constraint, added by the caller], then the warpers temperature, top-k, top-p.
// Removed entries get kMaskedLogProb (finite; see constraint.h).
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include <torch/torch.h>

#include "decode/step_model.h"

namespace sidr::decode {

// Disallowed tokens get this score: finite, so that beam arithmetic (score + log p, softmax over accumulated
// scores, division by a temperature) never meets inf - inf or NaN, and low enough that a masked candidate always
// sorts below every allowed one (real log-probs are above -1e4).
inline constexpr float kMaskedLogProb = -1.0e9f;

// The tokens of one row so far: its prompt, then what was generated (views, not copies).
struct RowTokens {
  const std::vector<TokenId>* prompt = nullptr;
  const std::vector<TokenId>* generated = nullptr;
  std::size_t size() const { return (prompt ? prompt->size() : 0) + (generated ? generated->size() : 0); }
  TokenId operator[](std::size_t i) const {
    const std::size_t p = prompt ? prompt->size() : 0;
    return i < p ? (*prompt)[i] : (*generated)[i - p];
  }
};

class LogitsProcessor {
 public:
  virtual ~LogitsProcessor() = default;
  // scores: (R, V) float32 on the model's device; rows[r] is row r's tokens so far. Returns the processed scores
  // (may write into `scores`).
  virtual torch::Tensor process(torch::Tensor scores, const std::vector<RowTokens>& rows) const = 0;
  // Row state, for processors that keep one (the trie constraint): every one of `rows` rows starts afresh; new
  // row i = old row parents[i] followed by tokens[i].
  virtual void reset(std::int64_t /*rows*/) {}
  virtual void advance(const std::vector<std::int64_t>& /*parents*/, const std::vector<TokenId>& /*tokens*/) {}
  // True when process() reads `rows` (callers may then skip building them).
  virtual bool reads_tokens() const { return false; }
};

// The processors in order; not owning those added with add_borrowed (the caller's constraint).
class LogitsProcessorList {
 public:
  void add(std::shared_ptr<LogitsProcessor> processor) { items_.push_back(std::move(processor)); }
  void add_borrowed(LogitsProcessor* processor) {
    if (processor) items_.emplace_back(processor, [](LogitsProcessor*) {});
  }
  torch::Tensor process(torch::Tensor scores, const std::vector<RowTokens>& rows) const;
  void reset(std::int64_t rows);
  void advance(const std::vector<std::int64_t>& parents, const std::vector<TokenId>& tokens);
  bool reads_tokens() const;
  bool empty() const { return items_.empty(); }
  std::size_t size() const { return items_.size(); }

 private:
  std::vector<std::shared_ptr<LogitsProcessor>> items_;
};

// The options every decoder shares (generation, beam sampling, the generate command).
struct SamplingOptions {
  double temperature = 1.0;         // > 0; scores are divided by it
  std::int64_t top_k = 0;           // 0: off; else keep the k best tokens of each row (ties kept)
  double top_p = 1.0;               // 1: off; else keep the smallest set of best tokens whose probability reaches top_p
  double repetition_penalty = 1.0;  // 1: off; HF/CTRL: a token already in the row: score / p if > 0, else * p
  int no_repeat_ngram_size = 0;     // 0: off; else a token completing an n-gram the row already has is removed
  std::vector<TokenId> suppress_tokens;  // never generated
  void validate() const;                 // InputError with a full sentence
};

// HF order: repetition, no-repeat n-gram, suppressed tokens, then `constraint` (not owned; may be null), then
// the warpers temperature, top-k, top-p (only when `warpers` is true). Processors that would do nothing are
// left out, so default options give an empty list.
LogitsProcessorList make_logits_processors(const SamplingOptions& options, LogitsProcessor* constraint = nullptr,
                                           bool warpers = true);

// The individual processors (each testable alone).
class TemperatureWarper : public LogitsProcessor {
 public:
  explicit TemperatureWarper(double temperature) : temperature_(temperature) {}
  torch::Tensor process(torch::Tensor scores, const std::vector<RowTokens>& rows) const override;

 private:
  double temperature_;
};

class TopKWarper : public LogitsProcessor {
 public:
  explicit TopKWarper(std::int64_t k) : k_(k) {}
  torch::Tensor process(torch::Tensor scores, const std::vector<RowTokens>& rows) const override;

 private:
  std::int64_t k_;
};

class TopPWarper : public LogitsProcessor {
 public:
  explicit TopPWarper(double top_p) : top_p_(top_p) {}
  torch::Tensor process(torch::Tensor scores, const std::vector<RowTokens>& rows) const override;

 private:
  double top_p_;
};

class RepetitionPenalty : public LogitsProcessor {
 public:
  explicit RepetitionPenalty(double penalty) : penalty_(penalty) {}
  torch::Tensor process(torch::Tensor scores, const std::vector<RowTokens>& rows) const override;
  bool reads_tokens() const override { return true; }

 private:
  double penalty_;
};

class NoRepeatNgram : public LogitsProcessor {
 public:
  explicit NoRepeatNgram(int n) : n_(n) {}
  torch::Tensor process(torch::Tensor scores, const std::vector<RowTokens>& rows) const override;
  bool reads_tokens() const override { return true; }

 private:
  int n_;
};

class SuppressTokens : public LogitsProcessor {
 public:
  explicit SuppressTokens(std::vector<TokenId> tokens) : tokens_(std::move(tokens)) {}
  torch::Tensor process(torch::Tensor scores, const std::vector<RowTokens>& rows) const override;

 private:
  std::vector<TokenId> tokens_;
};

// The warpers as functions of (R, V) scores (HF's TopKLogitsWarper / TopPLogitsWarper rules).
torch::Tensor top_k_filter(const torch::Tensor& scores, std::int64_t k);
torch::Tensor top_p_filter(const torch::Tensor& scores, double top_p);

}  // namespace sidr::decode
