// A trained SASRec run directory (`sidreasoner baseline sasrec`: config.json + model.pt) as a scorer: the
// softmax over all catalog items after each history. Evaluation mixes it into beam search
// (evaluate --sasrec; decode/item_prior_step_model.h).
#pragma once
#include <cstdint>
#include <filesystem>
#include <vector>

#include <torch/torch.h>

#include "baseline/sasrec.h"

namespace sidr::baseline {

class SasrecScorer {
 public:
  // InputError naming the file when config.json or model.pt is missing, malformed or truncated.
  static SasrecScorer load(const std::filesystem::path& run_dir);

  // histories: item ids (oldest first, the last max_len used, each in 0..num_items-1, at least one item).
  // Returns (N, num_items) float32 log-probabilities. InputError on an empty history or an unknown id.
  torch::Tensor log_probs(const std::vector<std::vector<std::int64_t>>& histories);
  std::int64_t num_items() const { return model_->config().num_items; }
  int max_len() const { return static_cast<int>(model_->config().max_len); }  // history items it reads
  const Sasrec& model() const { return model_; }  // the loaded module (eval mode)

 private:
  explicit SasrecScorer(Sasrec model) : model_(std::move(model)) {}
  Sasrec model_;
};

}  // namespace sidr::baseline
