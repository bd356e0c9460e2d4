// What decoding needs from a language model: logits for the next token of each row, with rows that can be
// reordered and duplicated between steps (beam search). A model with a KV cache implements it
// (decode/lm_step_model.h); tests implement it with toy scorers.
#pragma once
#include <cstdint>
#include <vector>

#include <torch/torch.h>

namespace sidr::decode {

using TokenId = std::int32_t;

class StepModel {
 public:
  virtual ~StepModel() = default;
  // Forgets any previous state and runs the prompts. Returns the logits of the token after each prompt:
  // (N, V), one row per prompt.
  virtual torch::Tensor start(const std::vector<std::vector<TokenId>>& prompts) = 0;
  // New row i continues old row rows[i] (rows: (R) int64, may repeat and drop rows) and appends tokens[i]
  // (tokens: (R) int64). Returns the logits of the next token: (R, V).
  virtual torch::Tensor step(const torch::Tensor& rows, const torch::Tensor& tokens) = 0;
  virtual std::int64_t vocab_size() const = 0;
};

}  // namespace sidr::decode
