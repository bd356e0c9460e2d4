// Several step models decoded as one: the next-token distribution is the (weighted) mean of the members'
// distributions (log of the mean of their probabilities), so beam search ranks SIDs by the ensemble's sequence
// probability p(sid) = prod_t sum_m w_m p_m(token_t | prefix). Members share the vocabulary and see the same
// prompts and steps.
#pragma once
#include <memory>
#include <vector>

#include "decode/step_model.h"

namespace sidr::decode {

class EnsembleStepModel : public StepModel {
 public:
  // At least one member; all with the same vocab_size. weights: one positive number per member (normalised
  // here), or empty for equal weights. std::invalid_argument otherwise.
  explicit EnsembleStepModel(std::vector<std::unique_ptr<StepModel>> members, std::vector<double> weights = {});

  // Returns log-probabilities (rows sum to 1 in probability), a valid input to log_softmax.
  torch::Tensor start(const std::vector<std::vector<TokenId>>& prompts) override;
  torch::Tensor step(const torch::Tensor& rows, const torch::Tensor& tokens) override;
  std::int64_t vocab_size() const override { return members_.front()->vocab_size(); }

 private:
  torch::Tensor mix(std::vector<torch::Tensor> logits) const;
  std::vector<std::unique_ptr<StepModel>> members_;
  std::vector<double> log_weights_;  // log of the normalised weights
};

}  // namespace sidr::decode
