#include "train/loss.h"

namespace sidr::train {

torch::Tensor labelled_token_log_probs(CausalLm& model, const Batch& batch) {
  auto hidden = model.forward_hidden(batch.input_ids, batch.attention_mask);  // (B, T, H)
  auto width = hidden.size(-1);
  auto before = hidden.narrow(1, 0, hidden.size(1) - 1).reshape({-1, width});  // (B*(T-1), H)
  auto targets = batch.labels.narrow(1, 1, batch.labels.size(1) - 1).reshape({-1}).to(hidden.device());  // (B*(T-1))
  auto rows = (targets != kIgnoreLabel).nonzero().squeeze(1);                          // (N)
  auto logits = model.logits(before.index_select(0, rows)).to(torch::kFloat32);        // (N, V)
  auto log_probs = torch::log_softmax(logits, -1);                                      // (N, V)
  return log_probs.gather(1, targets.index_select(0, rows).unsqueeze(1)).squeeze(1);    // (N)
}

torch::Tensor labelled_loss_sum(CausalLm& model, const Batch& batch) {
  return -labelled_token_log_probs(model, batch).sum();
}

torch::Tensor full_logits_loss_sum(CausalLm& model, const Batch& batch) {
  auto hidden = model.forward_hidden(batch.input_ids, batch.attention_mask);  // (B, T, H)
  auto logits = model.logits(hidden.reshape({-1, hidden.size(-1)})).view({hidden.size(0), hidden.size(1), -1});
  auto shifted = logits.narrow(1, 0, logits.size(1) - 1).reshape({-1, logits.size(-1)});  // (B*(T-1), V)
  auto targets = batch.labels.narrow(1, 1, batch.labels.size(1) - 1).reshape({-1}).to(hidden.device());
  return torch::nn::functional::cross_entropy(
      shifted.to(torch::kFloat32), targets,
      torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum).ignore_index(kIgnoreLabel));
}

}  // namespace sidr::train
