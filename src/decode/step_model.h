// What decoding needs from a language model: logits for the next token of each row, with rows that can be
// reordered and duplicated between steps (beam search). A model with a KV cache implements it
// (decode/lm_step_model.h); tests implement it with toy scorers.
//
// Continuation (Marian's ScorerState, at id level): save(rows) keeps a copy of some rows' state after the batch
// moves on (a finished thought, a serving session's last turn); resume() makes a new batch of saved rows, each
// optionally forgetting its last tokens and then fed more tokens. Models that cannot do this keep the default,
// which throws std::logic_error.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include <torch/torch.h>

#include "util/token_id.h"

namespace sidr::decode {

using sidr::TokenId;

// Rows' state set aside by StepModel::save (each model keeps what it needs, e.g. the rows' KV cache).
class SavedRows {
 public:
  virtual ~SavedRows() = default;
  virtual std::int64_t rows() const = 0;
};

// One row of a new batch: row `row` of `saved`, its last `forget` tokens dropped (as if never fed: they stay
// out of attention and positions), then `tokens` fed (at least one; lengths may differ between rows).
struct Continuation {
  std::shared_ptr<const SavedRows> saved;
  std::int64_t row = 0;
  std::int64_t forget = 0;
  std::vector<TokenId> tokens;
};

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

  // A copy of the current rows `rows` ((K) int64), valid after later start/step/resume calls.
  virtual std::shared_ptr<const SavedRows> save(const torch::Tensor& rows);
  // The batch becomes `rows` (row i = rows[i]); returns the logits after each row's last token: (R, V).
  virtual torch::Tensor resume(const std::vector<Continuation>& rows);
};

}  // namespace sidr::decode
