// GRPO rollouts: G completions per prompt from the current policy, by one of three methods.
//   sample:             unconstrained multinomial sampling at a temperature up to a stop token (SIDReasoner, §5.1)
//   beam:               trie-constrained beam search, G beams = G distinct valid SIDs in beam order (MiniOneRec, §8.2)
//   constrained-sample: sampling through the same trie constraint, one draw per member (MiniOneRec's
//                       beam_search=False)
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "decode/step_model.h"
#include "sid/sid_trie.h"

namespace sidr::rl {

enum class RolloutKind { Sample, Beam, ConstrainedSample };
RolloutKind parse_rollout_kind(const std::string& name);  // InputError naming --rollout
const char* rollout_kind_name(RolloutKind kind);

struct RolloutOptions {
  RolloutKind kind = RolloutKind::Sample;
  int group = 16;                          // G completions per prompt
  double temperature = 1.0;
  int max_new_tokens = 1024;
  std::vector<decode::TokenId> stop_tokens;  // the completion ends after one of them (kept)
  decode::TokenId end_token = -1;          // the trie's end token (constrained kinds)
  const sid::SidTrie* trie = nullptr;      // required by the constrained kinds (not owned)
  bool greedy = false;                     // validation: one argmax completion per prompt (group ignored)
};

// The completions of prompt p are at p * G ... (p + 1) * G - 1 for sampling; a beam group can be shorter
// when the trie has fewer than G valid SIDs (group_sizes says how many each prompt got).
struct Rollouts {
  std::vector<std::vector<decode::TokenId>> completions;
  std::vector<std::size_t> group_sizes;  // per prompt
  std::int64_t generated_tokens = 0;
};

// seed: the sampler's seed for this call (the run derives it from its seed and the step, so the rollout RNG is
// a pure function of the data cursor and resumes exactly).
Rollouts roll_out(decode::StepModel& model, const std::vector<std::vector<decode::TokenId>>& prompts,
                  const RolloutOptions& options, std::uint64_t seed);

}  // namespace sidr::rl
