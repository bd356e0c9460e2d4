#include "prepare/sequences.h"

#include <algorithm>
#include <limits>

namespace sidr::prepare {

std::pair<const std::uint32_t*, const std::uint32_t*> Sequences::history(const Sample& sample) const {
  const std::vector<std::uint32_t>& items = user_items[sample.user];
  std::size_t begin = sample.position > max_history ? sample.position - max_history : 0;
  return {items.data() + begin, items.data() + sample.position};
}

Sequences build_sequences(const InteractionTable& table, const KcoreResult& kept, std::size_t max_history) {
  constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();
  Sequences out;
  out.max_history = max_history;
  // Users by first appearance among the kept reviews; each user's reviews in file order.
  std::vector<std::uint32_t> user_index(table.users.size(), kNone);
  std::vector<std::vector<std::uint32_t>> user_reviews;  // final user -> review positions
  for (std::size_t i = 0; i < table.reviews.size(); ++i) {
    if (!kept.kept_review[i]) continue;
    std::uint32_t raw = table.reviews[i].user;
    if (user_index[raw] == kNone) {
      user_index[raw] = static_cast<std::uint32_t>(out.user_names.size());
      out.user_names.push_back(raw);
      user_reviews.emplace_back();
    }
    user_reviews[user_index[raw]].push_back(static_cast<std::uint32_t>(i));
  }
  // Stable sort by time (ties keep file order); items by first appearance in that order.
  std::vector<std::uint32_t> item_index(table.items.size(), kNone);
  out.user_items.resize(user_reviews.size());
  std::vector<std::int64_t> times_scratch;
  for (std::size_t u = 0; u < user_reviews.size(); ++u) {
    std::vector<std::uint32_t>& positions = user_reviews[u];
    std::stable_sort(positions.begin(), positions.end(), [&](std::uint32_t a, std::uint32_t b) {
      return table.reviews[a].time < table.reviews[b].time;
    });
    for (std::uint32_t position : positions) {
      std::uint32_t raw = table.reviews[position].item;
      if (item_index[raw] == kNone) {
        item_index[raw] = static_cast<std::uint32_t>(out.item_names.size());
        out.item_names.push_back(raw);
      }
      out.user_items[u].push_back(item_index[raw]);
    }
    for (std::size_t i = 1; i < positions.size(); ++i)
      out.samples.push_back(Sample{static_cast<std::uint32_t>(u), static_cast<std::uint32_t>(i),
                                   table.reviews[positions[i]].time});
  }
  std::stable_sort(out.samples.begin(), out.samples.end(),
                   [](const Sample& a, const Sample& b) { return a.time < b.time; });
  // int(total * 0.8) and int(total * 0.9) in double arithmetic, as the script computes them.
  double total = static_cast<double>(out.samples.size());
  out.train_end = static_cast<std::size_t>(total * 0.8);
  out.valid_end = static_cast<std::size_t>(total * 0.9);
  return out;
}

}  // namespace sidr::prepare
