// A deterministic toy language model for decoding tests: the logits of the next token depend on the last two
// tokens of the row's history, through two random tables (logits = first[last] + second[before_last]).
// Independent of the cache machinery, so brute force and a Python reimplementation can score it exactly.
#pragma once
#include <vector>

#include <torch/torch.h>

#include "decode/step_model.h"

namespace sidr::decode::testing {

class ToyModel : public StepModel {
 public:
  ToyModel(std::int64_t vocab, std::uint64_t seed, float scale = 3.0f) {
    torch::manual_seed(static_cast<std::int64_t>(seed));
    first_ = torch::randn({vocab, vocab}) * scale;   // (V, V)
    second_ = torch::randn({vocab, vocab}) * scale;  // (V, V)
  }
  torch::Tensor start(const std::vector<std::vector<TokenId>>& prompts) override {
    histories_ = prompts;
    ++calls_;
    return logits_of_rows();
  }
  torch::Tensor step(const torch::Tensor& rows, const torch::Tensor& tokens) override {
    std::vector<std::vector<TokenId>> next;
    auto r = rows.to(torch::kCPU);
    auto t = tokens.to(torch::kCPU);
    for (std::int64_t i = 0; i < r.size(0); ++i) {
      next.push_back(histories_.at(static_cast<std::size_t>(r[i].item<std::int64_t>())));
      next.back().push_back(static_cast<TokenId>(t[i].item<std::int64_t>()));
    }
    histories_ = std::move(next);
    ++calls_;
    return logits_of_rows();
  }
  std::int64_t vocab_size() const override { return first_.size(0); }
  // Saved rows are their histories.
  struct Saved : SavedRows {
    std::vector<std::vector<TokenId>> histories;
    std::int64_t rows() const override { return static_cast<std::int64_t>(histories.size()); }
  };
  std::shared_ptr<const SavedRows> save(const torch::Tensor& rows) override {
    auto saved = std::make_shared<Saved>();
    auto r = rows.to(torch::kCPU);
    for (std::int64_t i = 0; i < r.size(0); ++i)
      saved->histories.push_back(histories_.at(static_cast<std::size_t>(r[i].item<std::int64_t>())));
    return saved;
  }
  torch::Tensor resume(const std::vector<Continuation>& rows) override {
    std::vector<std::vector<TokenId>> next;
    for (const auto& c : rows) {
      auto h = dynamic_cast<const Saved&>(*c.saved).histories.at(static_cast<std::size_t>(c.row));
      h.resize(h.size() - static_cast<std::size_t>(c.forget));
      h.insert(h.end(), c.tokens.begin(), c.tokens.end());
      next.push_back(std::move(h));
    }
    histories_ = std::move(next);
    ++calls_;
    return logits_of_rows();
  }

  // Logits after a full history: (V).
  torch::Tensor logits_after(const std::vector<TokenId>& history) const {
    auto last = history.back();
    auto before = history.size() >= 2 ? history[history.size() - 2] : 0;
    return first_[last] + second_[before];
  }
  // Brute force: total log-prob of `continuation` after `prompt` (full-vocabulary log_softmax at each step).
  double sequence_log_prob(std::vector<TokenId> prompt, const std::vector<TokenId>& continuation) const {
    double total = 0;
    for (TokenId token : continuation) {
      total += torch::log_softmax(logits_after(prompt), -1)[token].item<float>();
      prompt.push_back(token);
    }
    return total;
  }
  const torch::Tensor& first() const { return first_; }
  const torch::Tensor& second() const { return second_; }
  int calls() const { return calls_; }
  std::size_t rows() const { return histories_.size(); }
  const std::vector<std::vector<TokenId>>& histories() const { return histories_; }

 private:
  torch::Tensor logits_of_rows() const {
    std::vector<torch::Tensor> rows;
    for (const auto& h : histories_) rows.push_back(logits_after(h));
    return torch::stack(rows);  // (R, V)
  }
  torch::Tensor first_, second_;
  std::vector<std::vector<TokenId>> histories_;
  int calls_ = 0;
};

}  // namespace sidr::decode::testing
