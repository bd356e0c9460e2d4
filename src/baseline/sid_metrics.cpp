#include "baseline/sid_metrics.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <unordered_set>

#include "util/error.h"

namespace sidr::baseline {

std::vector<std::int32_t> dedup_sids(const std::int64_t* ranked_items, std::size_t count,
                                     const std::vector<std::int32_t>& item_sid, std::size_t max_sids) {
  std::vector<std::int32_t> sids;
  sids.reserve(max_sids);
  std::unordered_set<std::int32_t> seen;
  for (std::size_t i = 0; i < count && sids.size() < max_sids; ++i) {
    auto item = ranked_items[i];
    if (item < 0 || static_cast<std::size_t>(item) >= item_sid.size())
      throw Error("dedup_sids: item id " + std::to_string(item) + " outside the catalog");
    std::int32_t sid = item_sid[static_cast<std::size_t>(item)];
    if (seen.insert(sid).second) sids.push_back(sid);
  }
  return sids;
}

int first_rank(const std::vector<std::int32_t>& ranked_sids, std::int32_t target) {
  auto it = std::find(ranked_sids.begin(), ranked_sids.end(), target);
  return it == ranked_sids.end() ? -1 : static_cast<int>(it - ranked_sids.begin());
}

std::size_t items_needed_for(std::size_t max_sids, std::size_t num_items, std::size_t num_distinct_sids) {
  return std::min(num_items, max_sids + (num_items - num_distinct_sids));
}

}  // namespace sidr::baseline
