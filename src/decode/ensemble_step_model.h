// Several step models decoded as one. Members share the vocabulary and see the same prompts and steps.
//  - Mixing::Mean (a mixture): the next-token distribution is the weighted mean of the members' distributions,
//    so beam search ranks SIDs by p(sid) = prod_t sum_m w_m p_m(token_t | prefix).
//  - Mixing::Product (a product of experts): p(t | prefix) is proportional to prod_m p_m(t | prefix)^w_m,
//    renormalised over the vocabulary: a token needs every member's support, so one confident member cannot
//    push in what the others rule out. A token some member gives probability 0 (-inf) stays impossible.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "decode/step_model.h"

namespace sidr::decode {

enum class Mixing { Mean, Product };

// "mean" or "product"; std::invalid_argument otherwise ("must be mean or product, got ...": callers prefix
// the option's name).
Mixing parse_mixing(const std::string& name);
std::string mixing_name(Mixing mixing);

class EnsembleStepModel : public StepModel {
 public:
  // At least one member; all with the same vocab_size. weights: one positive number per member (normalised
  // here), or empty for equal weights. std::invalid_argument otherwise.
  explicit EnsembleStepModel(std::vector<std::unique_ptr<StepModel>> members, std::vector<double> weights = {},
                             Mixing mixing = Mixing::Mean);

  // Returns log-probabilities (rows sum to 1 in probability), a valid input to log_softmax.
  torch::Tensor start(const std::vector<std::vector<TokenId>>& prompts) override;
  torch::Tensor step(const torch::Tensor& rows, const torch::Tensor& tokens) override;
  std::int64_t vocab_size() const override { return members_.front()->vocab_size(); }
  // Each member saves and resumes its own rows.
  std::shared_ptr<const SavedRows> save(const torch::Tensor& rows) override;
  torch::Tensor resume(const std::vector<Continuation>& rows) override;

 private:
  torch::Tensor mix(std::vector<torch::Tensor> logits) const;
  std::vector<std::unique_ptr<StepModel>> members_;
  std::vector<double> weights_;      // normalised
  std::vector<double> log_weights_;  // log of the normalised weights
  Mixing mixing_;
};

}  // namespace sidr::decode
