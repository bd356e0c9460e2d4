#include "decode/ensemble_step_model.h"

#include <cmath>
#include <stdexcept>

namespace sidr::decode {

EnsembleStepModel::EnsembleStepModel(std::vector<std::unique_ptr<StepModel>> members) : members_(std::move(members)) {
  if (members_.empty()) throw std::invalid_argument("an ensemble needs at least one member");
  for (const auto& m : members_)
    if (m->vocab_size() != members_.front()->vocab_size())
      throw std::invalid_argument("ensemble members must share one vocabulary");
}

torch::Tensor EnsembleStepModel::mix(std::vector<torch::Tensor> logits) const {
  if (logits.size() == 1) return logits.front();
  for (auto& l : logits) l = torch::log_softmax(l.to(torch::kFloat32), -1);
  return torch::logsumexp(torch::stack(logits), 0) - std::log(static_cast<double>(logits.size()));
}

torch::Tensor EnsembleStepModel::start(const std::vector<std::vector<TokenId>>& prompts) {
  std::vector<torch::Tensor> logits;
  for (auto& m : members_) logits.push_back(m->start(prompts));
  return mix(std::move(logits));
}

torch::Tensor EnsembleStepModel::step(const torch::Tensor& rows, const torch::Tensor& tokens) {
  std::vector<torch::Tensor> logits;
  for (auto& m : members_) logits.push_back(m->step(rows, tokens));
  return mix(std::move(logits));
}

}  // namespace sidr::decode
