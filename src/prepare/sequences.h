// Steps 5-7 of amazon18_data_process (reference §2.1): ids by first appearance, per-user time order (stable),
// sliding-window samples of at most `max_history` items, and the global 8:1:1 split by target time (stable).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "prepare/interaction_table.h"
#include "prepare/kcore.h"

namespace sidr::prepare {

struct Sample {
  std::uint32_t user = 0;      // final user index
  std::uint32_t position = 0;  // index of the target in the user's sequence (>= 1)
  std::int64_t time = 0;       // target time
};

struct Sequences {
  std::vector<std::uint32_t> user_names;  // final user index -> InteractionTable user id
  std::vector<std::uint32_t> item_names;  // final item index -> InteractionTable item id
  std::vector<std::vector<std::uint32_t>> user_items;  // final user index -> final item indices, time order
  std::vector<Sample> samples;            // sorted by target time (stable)
  std::size_t train_end = 0, valid_end = 0;  // train = [0, train_end), valid = [train_end, valid_end), test = rest
  std::size_t max_history = 10;

  // The history of a sample: user_items[user][max(0, position - max_history) .. position).
  std::pair<const std::uint32_t*, const std::uint32_t*> history(const Sample& sample) const;
};

Sequences build_sequences(const InteractionTable& table, const KcoreResult& kept, std::size_t max_history = 10);

}  // namespace sidr::prepare
