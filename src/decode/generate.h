// Batched greedy and sampling generation over a StepModel (a model with its KV cache): for the chain of
// thought in thinking mode, RL rollouts and the server. Rows that stop are dropped from the batch (their
// cache rows too), so long generations do not keep paying for finished rows.
#pragma once
#include <cstdint>
#include <vector>

#include "decode/sampling.h"
#include "decode/step_model.h"

namespace sidr::decode {

struct GenerateOptions {
  int max_new_tokens = 256;
  bool sample = false;              // false: greedy (argmax); true: sample from the warped distribution
  SamplingOptions sampling;         // temperature, top-k, top-p (sample only)
  std::vector<TokenId> stop_tokens; // a row stops after emitting one of these (it is kept in the output)
  std::uint64_t seed = 0;           // sampling seed; the draws depend on the batch composition
  void validate() const;
};

enum class StopReason { StopToken, Length };

struct Generation {
  std::vector<TokenId> tokens;  // generated tokens (the stop token included)
  StopReason reason = StopReason::Length;
};

std::vector<Generation> generate(StepModel& model, const std::vector<std::vector<TokenId>>& prompts,
                                 const GenerateOptions& options);

}  // namespace sidr::decode
