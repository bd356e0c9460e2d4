#include "train/batching.h"

#include <algorithm>
#include <numeric>

#include <fmt/format.h>

#include "util/error.h"

namespace sidr::train {

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::int64_t count_label_tokens(const Sample& sample) {
  std::int64_t count = 0;
  for (std::size_t t = 1; t < sample.labels.size(); ++t) count += sample.labels[t] != kIgnoreLabel;
  return count;
}

Batch collate(const std::vector<Sample>& samples, const std::vector<std::size_t>& rows, std::int64_t pad_id) {
  std::size_t longest = 0;
  for (auto row : rows) {
    const auto& sample = samples.at(row);
    if (sample.labels.size() != sample.input_ids.size())
      throw Error(fmt::format("sample {}: {} input ids but {} labels", row, sample.input_ids.size(),
                              sample.labels.size()));
    longest = std::max(longest, sample.input_ids.size());
  }
  auto batch_size = static_cast<std::int64_t>(rows.size());
  auto length = static_cast<std::int64_t>(longest);
  Batch batch;
  batch.input_ids = torch::full({batch_size, length}, pad_id, torch::kInt64);
  batch.attention_mask = torch::zeros({batch_size, length}, torch::kInt64);
  batch.labels = torch::full({batch_size, length}, static_cast<std::int64_t>(kIgnoreLabel), torch::kInt64);
  auto ids = batch.input_ids.accessor<std::int64_t, 2>();
  auto mask = batch.attention_mask.accessor<std::int64_t, 2>();
  auto labels = batch.labels.accessor<std::int64_t, 2>();
  for (std::int64_t b = 0; b < batch_size; ++b) {
    const auto& sample = samples[rows[b]];
    auto offset = length - static_cast<std::int64_t>(sample.input_ids.size());
    for (std::size_t t = 0; t < sample.input_ids.size(); ++t) {
      ids[b][offset + t] = sample.input_ids[t];
      mask[b][offset + t] = 1;
      // The first token has no prefix: never a target, even when a pad slot precedes it (the reference's HF
      // collator would predict it from the last pad when every label is kept, as in the plain-LM tasks).
      labels[b][offset + t] = t == 0 ? kIgnoreLabel : sample.labels[t];
    }
    batch.tokens += static_cast<std::int64_t>(sample.input_ids.size());
    batch.label_tokens += count_label_tokens(sample);
  }
  return batch;
}

std::vector<std::size_t> seeded_permutation(std::size_t n, std::uint64_t seed) {
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::uint64_t state = seed;
  for (std::size_t i = n; i > 1; --i) {
    std::size_t j = splitmix64(state) % i;
    std::swap(order[i - 1], order[j]);
  }
  return order;
}

std::int64_t steps_per_epoch(std::size_t n, std::int64_t global_batch) {
  return (static_cast<std::int64_t>(n) + global_batch - 1) / global_batch;
}

std::vector<StepPlan> plan_epoch(const std::vector<std::size_t>& lengths, const BatchingOptions& options,
                                 std::int64_t epoch, int rank, int world_size) {
  if (options.global_batch < 1 || options.micro_batch < 1 || world_size < 1 || rank < 0 || rank >= world_size)
    throw Error("plan_epoch: invalid batch sizes or rank");
  auto order = seeded_permutation(lengths.size(), options.seed * 1000003ULL + static_cast<std::uint64_t>(epoch));
  std::vector<StepPlan> steps;
  auto global = static_cast<std::size_t>(options.global_batch);
  auto micro = static_cast<std::size_t>(options.micro_batch);
  for (std::size_t begin = 0; begin < order.size(); begin += global) {
    std::vector<std::size_t> step(order.begin() + begin, order.begin() + std::min(order.size(), begin + global));
    // Longest first; ties by row so the plan is a pure function of the inputs.
    std::sort(step.begin(), step.end(), [&](std::size_t a, std::size_t b) {
      return lengths[a] != lengths[b] ? lengths[a] > lengths[b] : a < b;
    });
    // Micro-batches are consecutive runs of the sorted step: at most micro_batch samples, and at most
    // min(micro_batch x the step's mean length, an eighth of the step's tokens) padded tokens (never below the
    // longest sample, a batch of its own at worst). Long samples (narratives beside short SID sequences) come in
    // smaller batches, and there are enough batches to balance the ranks. Not a function of the number of ranks:
    // one rank runs the same micro-batches as several.
    std::size_t total = 0;
    for (auto row : step) total += lengths[row];
    const std::size_t cap = std::max<std::size_t>(
        1, std::min(micro * ((total + step.size() - 1) / step.size()), std::max(total / 8, lengths[step.front()])));
    std::vector<std::vector<std::size_t>> micros;
    for (std::size_t start = 0; start < step.size();) {
      std::size_t longest = std::max<std::size_t>(1, lengths[step[start]]);
      std::size_t count = std::clamp<std::size_t>(cap / longest, 1, micro);
      std::size_t end = std::min(step.size(), start + count);
      micros.emplace_back(step.begin() + start, step.begin() + end);
      start = end;
    }
    // Dealt costliest first, each to the rank with the fewest padded tokens so far (ties: the lower rank):
    // every rank does about the same work, whatever the length mix.
    std::vector<std::size_t> order_by_cost(micros.size());
    std::iota(order_by_cost.begin(), order_by_cost.end(), std::size_t{0});
    auto padded = [&](std::size_t m) { return micros[m].size() * lengths[micros[m].front()]; };
    std::stable_sort(order_by_cost.begin(), order_by_cost.end(),
                     [&](std::size_t a, std::size_t b) { return padded(a) > padded(b); });
    std::vector<std::size_t> load(static_cast<std::size_t>(world_size), 0);
    std::vector<int> owner(micros.size(), 0);
    for (auto m : order_by_cost) {
      auto least = static_cast<int>(std::min_element(load.begin(), load.end()) - load.begin());
      owner[m] = least;
      load[static_cast<std::size_t>(least)] += padded(m);
    }
    StepPlan plan;
    for (std::size_t m = 0; m < micros.size(); ++m)
      if (owner[m] == rank) plan.micro_batches.push_back(std::move(micros[m]));
    steps.push_back(std::move(plan));
  }
  return steps;
}

}  // namespace sidr::train
