// Marginalised thinking mode: K thoughts per user instead of one greedy thought, each closed as the reference
// closes a thought (close_thought) and continued at the id level into the SID beam search; a SID's score is
// the log of its probability summed over the thoughts,
//   score(s) = logsumexp_t [ log p(t | prompt) + log p(s | prompt, t) ],
// optionally pooled with the plain-mode (empty thought block) search of the same user:
//   score(s) = log( (1 - w) * sum_t p(t) p(s | t) + w * p_plain(s) ).
// The sum runs over the distinct thoughts found (sampled or beam-searched), and p(s | t) over the SIDs in
// that thought's B beams (a SID outside them contributes nothing from it): a lower bound of the marginal that
// grows with K and B.
#pragma once
#include <cstdint>
#include <vector>

#include "decode/beam_search.h"
#include "decode/sid_search.h"
#include "decode/step_model.h"
#include "sid/sid_trie.h"

namespace sidr::decode {

struct ThoughtSearchOptions {
  int thoughts = 5;                 // K per prompt
  bool beam = false;                // K best thoughts by beam search; false: K samples (duplicates merged)
  double temperature = 1.0;         // sampled thoughts only; log p(t) is always under the model itself (T = 1)
  int max_thought_tokens = 1024;
  std::uint64_t seed = 42;          // sampled thoughts
  double plain_weight = 0.0;        // w in [0, 1): the plain-mode candidates' share of the pool (0: not pooled)
  void validate() const;            // InputError naming the option
};

struct ScoredThought {
  std::vector<TokenId> tokens;      // as generated (the stop token "</think>" or the end token included)
  double log_prob = 0;              // log p(t | prompt): the model's log-probs of the generated tokens, summed
  bool closed = false;              // it ended with "</think>"
  std::vector<SidPrediction> predictions;  // the SID search after the closed thought: log p(s | t)
};

struct MarginalResult {
  std::vector<ScoredThought> thoughts;      // distinct thoughts, most probable first
  std::vector<SidPrediction> plain;         // the plain-mode beams (pooled runs only)
  std::vector<SidPrediction> predictions;   // the pool's best B, score = log of the (mixed) marginal
};

// Combines per-thought beams (and the plain beams, with weight plain_weight) into the marginal ranking; keeps
// the best `keep`. Ties keep the order in which SIDs were first met (thoughts first, most probable first).
std::vector<SidPrediction> marginalise(const std::vector<ScoredThought>& thoughts,
                                       const std::vector<SidPrediction>& plain, double plain_weight, int keep);

// The whole decode for a batch. think_prompts: the reasoning prompts' ids; plain_prompts: the same users'
// plain-mode prompts (read only when plain_weight > 0; one per think prompt). The model's batch is replaced.
std::vector<MarginalResult> marginalised_search(StepModel& model, const sid::SidTrie& trie, TokenId end_token,
                                                const std::vector<std::vector<TokenId>>& think_prompts,
                                                const std::vector<std::vector<TokenId>>& plain_prompts,
                                                const ThoughtClosing& closing, const ThoughtSearchOptions& thoughts,
                                                const BeamSearchOptions& beams);

}  // namespace sidr::decode
