#include "rl/rollout.h"

#include <memory>

#include "decode/beam_search.h"
#include "decode/constraint.h"
#include "decode/generate.h"
#include "util/error.h"

namespace sidr::rl {

RolloutKind parse_rollout_kind(const std::string& name) {
  if (name == "sample") return RolloutKind::Sample;
  if (name == "beam") return RolloutKind::Beam;
  if (name == "constrained-sample") return RolloutKind::ConstrainedSample;
  throw InputError("option --rollout: unknown rollout '" + name + "' (sample, beam, constrained-sample)");
}

const char* rollout_kind_name(RolloutKind kind) {
  switch (kind) {
    case RolloutKind::Sample: return "sample";
    case RolloutKind::Beam: return "beam";
    case RolloutKind::ConstrainedSample: return "constrained-sample";
  }
  return "?";
}

Rollouts roll_out(decode::StepModel& model, const std::vector<std::vector<decode::TokenId>>& prompts,
                  const RolloutOptions& options, std::uint64_t seed) {
  Rollouts out;
  if (prompts.empty()) return out;
  std::unique_ptr<decode::TrieConstraint> constraint;
  if (options.kind != RolloutKind::Sample) {
    if (!options.trie) throw std::logic_error("roll_out: a constrained rollout needs the SID trie");
    // The trie outlives the call; the constraint only borrows it.
    constraint = std::make_unique<decode::TrieConstraint>(
        std::shared_ptr<const sid::Trie>(&options.trie->trie, [](const sid::Trie*) {}), options.end_token);
  }
  torch::NoGradGuard no_grad;
  if (options.kind == RolloutKind::Beam && !options.greedy) {
    decode::BeamSearchOptions beam;
    beam.beams = options.group;
    beam.return_sequences = options.group;
    beam.max_new_tokens = options.max_new_tokens;
    beam.end_tokens = {options.end_token};
    beam.length_penalty = 0.0;
    beam.early_stopping = true;
    auto results = decode::beam_search(model, prompts, constraint.get(), beam);
    for (auto& hypotheses : results) {
      out.group_sizes.push_back(hypotheses.size());
      for (auto& h : hypotheses) {
        out.generated_tokens += static_cast<std::int64_t>(h.tokens.size());
        out.completions.push_back(std::move(h.tokens));
      }
    }
    return out;
  }
  decode::GenerateOptions generate;
  generate.max_new_tokens = options.max_new_tokens;
  generate.samples = options.greedy ? 1 : options.group;
  generate.sample = !options.greedy;
  generate.sampling.temperature = options.temperature;
  generate.stop_tokens = options.stop_tokens;
  if (options.kind != RolloutKind::Sample) generate.stop_tokens.push_back(options.end_token);
  generate.seed = seed;
  auto generations = decode::generate(model, prompts, generate, constraint.get());
  out.group_sizes.assign(prompts.size(), static_cast<std::size_t>(generate.samples));
  for (auto& g : generations) {
    out.generated_tokens += static_cast<std::int64_t>(g.tokens.size());
    out.completions.push_back(std::move(g.tokens));
  }
  return out;
}

}  // namespace sidr::rl
