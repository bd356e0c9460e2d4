// Batched beam search with Hugging Face's semantics as the reference uses them (sidreasoner.md §6.1):
// log_softmax over the full vocabulary, then the constraint mask (no renormalisation over allowed tokens),
// beam score = sum of log-probs, top 2B candidates over B x V per prompt, a candidate ending in an end token
// becomes a finished hypothesis if its rank is below B, a prompt is done once B hypotheses are finished
// (early_stopping=True), score / len^length_penalty. Each prompt is run once and its state expanded to the
// beams (HF runs it B times). Deterministic; `sample` reproduces HF beam *sampling* for parity studies.
//
// Every returned hypothesis is allowed by the constraint: where fewer than B allowed continuations exist, the
// remaining beams are dead (HF would carry -inf beams and could return them); a prompt then returns fewer than
// `return_sequences` hypotheses.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include <torch/torch.h>

#include "decode/constraint.h"
#include "decode/logits_processor.h"
#include "decode/sampler.h"
#include "decode/step_model.h"

namespace sidr::decode {

struct BeamSearchOptions {
  int beams = 10;                   // B: live beams per prompt
  int return_sequences = 0;         // best hypotheses returned per prompt; 0 means B
  int max_new_tokens = 256;         // the search stops after this many tokens (running beams then finish)
  std::vector<TokenId> end_tokens;  // a beam emitting one of these is finished
  double length_penalty = 0.0;      // hypothesis score = sum log p / generated_length^length_penalty
  bool early_stopping = true;       // true: a prompt is done once it has B finished hypotheses
  bool sample = false;              // HF beam sampling (warpers on the masked log-probs, multinomial draw)
  SamplingOptions sampling;         // processors and warpers, used when sample is true
  std::uint64_t seed = 42;          // the multinomial sampler's seed when sample is true
  // Save each kept hypothesis's model state (after all its tokens but the last, as generate's keep_state
  // does) for StepModel::resume: marginalised thinking continues beam-searched thoughts. Off: no copies.
  bool keep_state = false;

  int returned() const { return return_sequences > 0 ? return_sequences : beams; }
  void validate() const;
};

struct Hypothesis {
  std::vector<TokenId> tokens;  // generated tokens (the end token included when it finished with one)
  float score = 0;              // sum of log-probs (divided by length^length_penalty)
  // keep_state: row `saved_row` of `saved` is the model after the prompt and every token but the last.
  std::shared_ptr<const SavedRows> saved;
  std::int64_t saved_row = -1;
};

// ---- batch x beam flattening: row = prompt * rows_per_prompt + beam --------------------------------------
inline std::int64_t flat_row(std::int64_t prompt, std::int64_t beam, std::int64_t rows_per_prompt) {
  return prompt * rows_per_prompt + beam;
}
// (N * rows_per_prompt, V) -> (N, rows_per_prompt * V): all candidates of one prompt in one row.
torch::Tensor merge_beams_into_candidates(const torch::Tensor& row_scores, std::int64_t prompts);

// The finished hypotheses of one prompt: HF's BeamHypotheses (keeps the best `capacity`).
class FinishedHypotheses {
 public:
  FinishedHypotheses(int capacity, double length_penalty, bool early_stopping)
      : capacity_(capacity), length_penalty_(length_penalty), early_stopping_(early_stopping) {}
  // sum_log_probs of `tokens`; the score is length-normalised here. `saved`: the hypothesis's state, if kept.
  void add(std::vector<TokenId> tokens, float sum_log_probs, std::shared_ptr<const SavedRows> saved = nullptr,
           std::int64_t saved_row = -1);
  // Whether add() would keep a hypothesis of this sum and length (so its state is only copied when kept).
  bool accepts(float sum_log_probs, std::int64_t length) const;
  // HF's is_done: full and (early_stopping or no running beam can beat the worst kept one).
  bool is_done(float best_running_sum, std::int64_t generated_length) const;
  std::size_t size() const { return items_.size(); }
  // Best first; among equal scores the later-added first (HF pops a stable ascending sort).
  std::vector<Hypothesis> best(int count) const;

 private:
  float normalise(float sum, std::int64_t length) const;
  int capacity_;
  double length_penalty_;
  bool early_stopping_;
  std::vector<Hypothesis> items_;
  float worst_ = 1e9f;
};

// One candidate continuation: old row, token, accumulated score.
struct Candidate {
  std::int64_t row;
  TokenId token;
  float score;
};

// ---- step functions (each testable alone) ---------------------------------------------------------------
// score: logits (R, V) -> log_softmax in float32 (R, V).
torch::Tensor score_step(const torch::Tensor& logits);
// mask: the constraint's mask applied in place (no-op without constraint).
void mask_step(torch::Tensor& log_probs, const LogitsConstraint* constraint);
// candidates: accumulated (R, V) = processed log-probs + beam scores; per prompt `count` drawn by the sampler
// from the prompt's R/prompts x V candidates (greedy: the best; multinomial: without replacement from
// softmax(accumulated), as HF's beam sampling does), sorted by score, best first.
std::vector<std::vector<Candidate>> top_candidates(const torch::Tensor& accumulated, std::int64_t prompts,
                                                   std::int64_t count, Sampler& sampler);

// The whole search. prompts: token ids (N of them). Returns per prompt up to returned() hypotheses, best first.
// The sampler defaults to options.sample ? multinomial(options.seed) : greedy. A prompt that is done (B finished
// hypotheses, or no live beam) leaves the model's batch: later steps compute only the prompts still running.
std::vector<std::vector<Hypothesis>> beam_search(StepModel& model, const std::vector<std::vector<TokenId>>& prompts,
                                                 LogitsConstraint* constraint, const BeamSearchOptions& options,
                                                 Sampler* sampler = nullptr);
// The same search from a model whose batch already holds one row per prompt (after start(), or resume() of
// saved rows): `logits` (N, V) are the next-token logits of those rows.
std::vector<std::vector<Hypothesis>> beam_search_from(StepModel& model, torch::Tensor logits,
                                                      LogitsConstraint* constraint, const BeamSearchOptions& options,
                                                      Sampler* sampler = nullptr);

}  // namespace sidr::decode
