// Batched generation over a StepModel (a model with its KV cache): the chain of thought in thinking mode, RL
// rollouts (n samples per prompt, with their log-probs), the `generate` command and, later, the server.
//
// * n samples per prompt: each prompt is run once and its state expanded to its n rows at the first step (as
//   beam search expands to its beams), not prefilled n times.
// * the scores go through a LogitsProcessorList (decode/logits_processor.h; an optional constraint among them)
//   and one Sampler (decode/sampler.h) chooses the tokens on the model's device; only the ids reach the host
//   each step (the log-probs are gathered there and moved once at the end).
// * rows that stop are dropped from the batch (their cache rows too), so long generations do not keep paying
//   for finished rows; with keep_state each stopping row's state is saved first, for StepModel::resume.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "decode/logits_processor.h"
#include "decode/sampler.h"
#include "decode/step_model.h"

namespace sidr::decode {

struct GenerateOptions {
  int max_new_tokens = 256;
  int samples = 1;                   // rows per prompt (n), expanded from one prefill
  bool sample = false;               // false: greedy (argmax); true: multinomial from the processed distribution
  SamplingOptions sampling;          // processors: repetition, no-repeat, suppressed; warpers (sample only)
  std::vector<TokenId> stop_tokens;  // a row stops after emitting one of these (it is kept in the output)
  std::uint64_t seed = 0;            // the multinomial sampler's seed; the draws depend on the batch composition
  bool keep_state = false;           // save each row's model state when it stops (Generation::saved)
  // Called on the caller's thread after every step, once per row that got a token (in generation order):
  // (generation index, its new token). Returning false cancels the whole call: every row still running ends
  // with StopReason::Cancelled (the serving layer streams tokens this way and stops when the client leaves).
  std::function<bool(std::size_t generation, TokenId token)> on_token;
  void validate() const;
};

enum class StopReason { StopToken, Length, Cancelled };

struct Generation {
  std::vector<TokenId> tokens;  // generated tokens (the stop token included)
  // Per token: log p of the token under the distribution it was chosen from, i.e. log_softmax of the processed
  // scores (after temperature, top-k, top-p, the constraint, ...).
  std::vector<float> log_probs;
  // Per token: log p under the model alone, log_softmax of its raw logits (the policy log-prob of GRPO's ratio).
  std::vector<float> model_log_probs;
  StopReason reason = StopReason::Length;
  // keep_state: row `saved_row` of `saved` is the model after the prompt and every token but the last one
  // (the last token was chosen, not fed). Continue it with StepModel::resume.
  std::shared_ptr<const SavedRows> saved;
  std::int64_t saved_row = -1;
};

// N prompts -> N * samples generations; sample s of prompt p at p * samples + s. The constraint (not owned,
// may be null) is reset to one row per generation and follows the rows.
std::vector<Generation> generate(StepModel& model, const std::vector<std::vector<TokenId>>& prompts,
                                 const GenerateOptions& options, LogitsProcessor* constraint = nullptr);
// The same with the sampler given (the one above uses sample ? multinomial(seed) : greedy).
std::vector<Generation> generate(StepModel& model, const std::vector<std::vector<TokenId>>& prompts,
                                 const GenerateOptions& options, Sampler& sampler, LogitsProcessor* constraint);

}  // namespace sidr::decode
