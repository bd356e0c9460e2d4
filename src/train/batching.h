// Training samples, length-bucketed micro-batches and left-padded collation.
#pragma once
#include <cstdint>
#include <vector>

#include <torch/torch.h>

namespace sidr::train {

constexpr std::int32_t kIgnoreLabel = -100;

// One training sequence: token ids and, position by position, the label (kIgnoreLabel = not supervised).
// labels[t] is the token the model should see at t; the loss predicts labels[t] from positions < t (HF shift).
struct Sample {
  std::vector<std::int32_t> input_ids;
  std::vector<std::int32_t> labels;
};

// Positions whose label is predicted: t >= 1 with labels[t] != kIgnoreLabel (the first token is never a target).
std::int64_t count_label_tokens(const Sample& sample);

// A padded micro-batch.
struct Batch {
  torch::Tensor input_ids;       // (B, T) int64, left-padded with the pad id
  torch::Tensor attention_mask;  // (B, T) int64, 1 = token, 0 = padding
  torch::Tensor labels;          // (B, T) int64, kIgnoreLabel on padding
  std::int64_t tokens = 0;        // real (non-pad) tokens
  std::int64_t label_tokens = 0;  // predicted targets (see count_label_tokens)
};

// Left padding to the longest selected sample (as the reference collator with padding_side="left").
Batch collate(const std::vector<Sample>& samples, const std::vector<std::size_t>& rows, std::int64_t pad_id);

// One optimizer step as seen by one rank: its micro-batches (rows of the sample vector).
struct StepPlan {
  std::vector<std::vector<std::size_t>> micro_batches;
};

struct BatchingOptions {
  std::int64_t global_batch = 1024;  // sequences per optimizer step, over all ranks
  std::int64_t micro_batch = 1;      // sequences per forward pass on one rank
  std::uint64_t seed = 42;
};

// The steps of one epoch for `rank` of `world_size`. The samples are shuffled by (seed, epoch); consecutive
// global_batch samples of that order form one optimizer step (the last one may be short), so the set of samples
// in each step does not depend on the micro-batch size or the number of ranks. Within a step the samples are
// sorted by length and cut into micro-batches (little padding; at most micro_batch samples and micro_batch x the
// step's mean length padded tokens each), dealt to the ranks so that each pads about as many tokens.
std::vector<StepPlan> plan_epoch(const std::vector<std::size_t>& lengths, const BatchingOptions& options,
                                 std::int64_t epoch, int rank, int world_size);

// Number of optimizer steps in one epoch of n samples.
std::int64_t steps_per_epoch(std::size_t n, std::int64_t global_batch);

// Next value of the splitmix64 generator (advances `state`): the trainer's platform-independent randomness.
std::uint64_t splitmix64(std::uint64_t& state);

// Permutation of 0..n-1 from a 64-bit seed (Fisher-Yates on splitmix64: identical on every platform).
std::vector<std::size_t> seeded_permutation(std::size_t n, std::uint64_t seed);

}  // namespace sidr::train
