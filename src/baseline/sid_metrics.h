// Ranking metrics over Semantic IDs, computed the way the generative model is scored (reference calc.py):
// a ranked list of items becomes a ranked list of distinct SIDs (an SID shared by several items counts once,
// at the position of its best-ranked item), rank = 0-based position of the target SID in that list,
// HR@K = share of rows with rank < K, NDCG@K = mean of [rank < K] / log2(rank + 2).
#pragma once
#include <cstdint>
#include <vector>

#include "util/json.h"

namespace sidr::baseline {

// Distinct SID indices in rank order, at most max_sids of them. ranked_items are item ids, best first;
// item_sid maps an item id to its SID index.
std::vector<std::int32_t> dedup_sids(const std::int64_t* ranked_items, std::size_t count,
                                     const std::vector<std::int32_t>& item_sid, std::size_t max_sids);

// 0-based position of target in ranked_sids, or -1 when absent.
int first_rank(const std::vector<std::int32_t>& ranked_sids, std::int32_t target);

// How many top items must be ranked to be sure of max_sids distinct SIDs: every SID collision removes one
// distinct SID from any prefix at most once, so max_sids + (items - distinct SIDs) items always suffice.
std::size_t items_needed_for(std::size_t max_sids, std::size_t num_items, std::size_t num_distinct_sids);

// Sums of HR@K / NDCG@K over rows; rank -1 is a miss.
class RankingMetrics {
 public:
  explicit RankingMetrics(std::vector<int> ks);
  void add(int rank);
  std::size_t rows() const { return rows_; }
  int max_k() const;
  double hr(int k) const;
  double ndcg(int k) const;
  // {"HR@1": .., "HR@3": .., ..., "NDCG@1": .., ...} in ascending K.
  OrderedJson to_json() const;

 private:
  std::size_t index_of(int k) const;
  std::vector<int> ks_;
  std::vector<double> hit_sum_;
  std::vector<double> ndcg_sum_;
  std::size_t rows_ = 0;
};

}  // namespace sidr::baseline
