// Log-probabilities of the labelled tokens, and the causal-LM cross-entropy built on them. SFT's loss, and
// GRPO's ratio and KL later, read the same per-token log-probs.
#pragma once
#include <torch/torch.h>

#include "train/batching.h"
#include "train/causal_lm.h"

namespace sidr::train {

// log p(label | prefix) of every predicted target of the batch (labels[:, 1:] != -100), row-major order (row by
// row, position by position), as a float32 (N) tensor with its graph. The hidden states of the positions before
// each target are gathered first and only those rows go through the output projection:
// (N, hidden) x (hidden, vocab) instead of (B*T, hidden) x (hidden, vocab).
torch::Tensor labelled_token_log_probs(CausalLm& model, const Batch& batch);

// Sum over the batch's predicted targets of -log p(label | prefix): -sum(labelled_token_log_probs), a 0-dim
// float tensor with its graph.
torch::Tensor labelled_loss_sum(CausalLm& model, const Batch& batch);

// The reference's way, for comparison: logits over every position, shift, cross-entropy with ignore_index,
// summed. Same value as labelled_loss_sum up to float rounding.
torch::Tensor full_logits_loss_sum(CausalLm& model, const Batch& batch);

}  // namespace sidr::train
