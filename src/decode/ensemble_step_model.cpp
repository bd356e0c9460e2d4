#include "decode/ensemble_step_model.h"

#include <cmath>
#include <stdexcept>

namespace sidr::decode {

Mixing parse_mixing(const std::string& name) {
  if (name == "mean") return Mixing::Mean;
  if (name == "product") return Mixing::Product;
  throw std::invalid_argument("must be mean or product, got \"" + name + "\"");
}

std::string mixing_name(Mixing mixing) { return mixing == Mixing::Mean ? "mean" : "product"; }

EnsembleStepModel::EnsembleStepModel(std::vector<std::unique_ptr<StepModel>> members, std::vector<double> weights,
                                     Mixing mixing)
    : members_(std::move(members)), mixing_(mixing) {
  if (members_.empty()) throw std::invalid_argument("an ensemble needs at least one member");
  for (const auto& m : members_)
    if (m->vocab_size() != members_.front()->vocab_size())
      throw std::invalid_argument("ensemble members must share one vocabulary");
  if (weights.empty()) weights.assign(members_.size(), 1.0);
  if (weights.size() != members_.size()) throw std::invalid_argument("an ensemble needs one weight per member");
  double total = 0;
  for (double w : weights) {
    if (!(w > 0) || !std::isfinite(w)) throw std::invalid_argument("ensemble weights must be positive and finite");
    total += w;
  }
  for (double w : weights) {
    weights_.push_back(w / total);
    log_weights_.push_back(std::log(w / total));
  }
}

torch::Tensor EnsembleStepModel::mix(std::vector<torch::Tensor> logits) const {
  if (logits.size() == 1) return logits.front();
  const auto device = logits.front().device();
  if (mixing_ == Mixing::Product) {
    // sum_m w_m log p_m, renormalised; -inf (a member's impossible token) times w_m > 0 stays -inf.
    torch::Tensor sum;
    for (std::size_t m = 0; m < logits.size(); ++m) {
      auto term = torch::log_softmax(logits[m].to(device, torch::kFloat32), -1) * weights_[m];
      sum = m == 0 ? term : sum + term;
    }
    return torch::log_softmax(sum, -1);
  }
  for (std::size_t m = 0; m < logits.size(); ++m)
    logits[m] = torch::log_softmax(logits[m].to(device, torch::kFloat32), -1) + log_weights_[m];
  return torch::logsumexp(torch::stack(logits), 0);
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

namespace {

struct SavedMembers : SavedRows {
  std::vector<std::shared_ptr<const SavedRows>> members;
  std::int64_t rows() const override { return members.front()->rows(); }
};

}  // namespace

std::shared_ptr<const SavedRows> EnsembleStepModel::save(const torch::Tensor& rows) {
  auto saved = std::make_shared<SavedMembers>();
  for (auto& m : members_) saved->members.push_back(m->save(rows));
  return saved;
}

torch::Tensor EnsembleStepModel::resume(const std::vector<Continuation>& rows) {
  std::vector<torch::Tensor> logits;
  for (std::size_t m = 0; m < members_.size(); ++m) {
    std::vector<Continuation> own = rows;
    for (auto& c : own) {
      const auto* saved = dynamic_cast<const SavedMembers*>(c.saved.get());
      if (!saved) throw std::logic_error("EnsembleStepModel::resume: rows saved by another model");
      c.saved = saved->members[m];
    }
    logits.push_back(members_[m]->resume(own));
  }
  return mix(std::move(logits));
}

}  // namespace sidr::decode
