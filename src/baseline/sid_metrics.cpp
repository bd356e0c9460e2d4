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

RankingMetrics::RankingMetrics(std::vector<int> ks)
    : ks_(std::move(ks)), hit_sum_(ks_.size(), 0.0), ndcg_sum_(ks_.size(), 0.0) {
  if (ks_.empty()) throw Error("RankingMetrics needs at least one K");
  std::sort(ks_.begin(), ks_.end());
  if (ks_.front() < 1) throw Error("RankingMetrics: K must be at least 1");
}

void RankingMetrics::add(int rank) {
  ++rows_;
  if (rank < 0) return;
  double gain = 1.0 / std::log2(static_cast<double>(rank) + 2.0);
  for (std::size_t i = 0; i < ks_.size(); ++i) {
    if (rank < ks_[i]) {
      hit_sum_[i] += 1.0;
      ndcg_sum_[i] += gain;
    }
  }
}

int RankingMetrics::max_k() const { return ks_.back(); }

std::size_t RankingMetrics::index_of(int k) const {
  auto it = std::find(ks_.begin(), ks_.end(), k);
  if (it == ks_.end()) throw Error("RankingMetrics: K=" + std::to_string(k) + " was not tracked");
  return static_cast<std::size_t>(it - ks_.begin());
}

double RankingMetrics::hr(int k) const { return rows_ ? hit_sum_[index_of(k)] / static_cast<double>(rows_) : 0.0; }

double RankingMetrics::ndcg(int k) const {
  return rows_ ? ndcg_sum_[index_of(k)] / static_cast<double>(rows_) : 0.0;
}

OrderedJson RankingMetrics::to_json() const {
  OrderedJson out = OrderedJson::object();
  for (int k : ks_) out["HR@" + std::to_string(k)] = hr(k);
  for (int k : ks_) out["NDCG@" + std::to_string(k)] = ndcg(k);
  return out;
}

}  // namespace sidr::baseline
