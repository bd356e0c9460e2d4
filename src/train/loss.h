// Causal-LM cross-entropy computed only at the labelled positions.
#pragma once
#include <torch/torch.h>

#include "train/batching.h"
#include "train/causal_lm.h"

namespace sidr::train {

// Sum over the batch's predicted targets (labels[:, 1:] != -100) of -log p(label | prefix), as a 0-dim float
// tensor with its graph. The hidden states of the positions before each target are gathered first and only those
// rows go through the output projection: (N, hidden) x (hidden, vocab) instead of (B*T, hidden) x (hidden, vocab).
torch::Tensor labelled_loss_sum(CausalLm& model, const Batch& batch);

// The reference's way, for comparison: logits over every position, shift, cross-entropy with ignore_index,
// summed. Same value as labelled_loss_sum up to float rounding.
torch::Tensor full_logits_loss_sum(CausalLm& model, const Batch& batch);

}  // namespace sidr::train
