// A StepModel decorator for decoding tests: counts the prompt tokens prefilled by start() and records the batch
// size of every call, so tests can check that prompts run once and finished rows leave the batch.
#pragma once
#include <memory>
#include <vector>

#include "decode/step_model.h"

namespace sidr::decode::testing {

class CountingModel : public StepModel {
 public:
  explicit CountingModel(StepModel& inner) : inner_(inner) {}
  torch::Tensor start(const std::vector<std::vector<TokenId>>& prompts) override {
    for (const auto& p : prompts) prefill_tokens += static_cast<std::int64_t>(p.size());
    batch_rows.push_back(static_cast<std::int64_t>(prompts.size()));
    return inner_.start(prompts);
  }
  torch::Tensor step(const torch::Tensor& rows, const torch::Tensor& tokens) override {
    batch_rows.push_back(rows.size(0));
    return inner_.step(rows, tokens);
  }
  std::int64_t vocab_size() const override { return inner_.vocab_size(); }
  std::shared_ptr<const SavedRows> save(const torch::Tensor& rows) override { return inner_.save(rows); }
  torch::Tensor resume(const std::vector<Continuation>& rows) override {
    for (const auto& c : rows) resumed_tokens += static_cast<std::int64_t>(c.tokens.size());
    batch_rows.push_back(static_cast<std::int64_t>(rows.size()));
    return inner_.resume(rows);
  }

  std::int64_t prefill_tokens = 0;
  std::int64_t resumed_tokens = 0;
  std::vector<std::int64_t> batch_rows;  // rows of every start/step/resume call, in order

 private:
  StepModel& inner_;
};

}  // namespace sidr::decode::testing
