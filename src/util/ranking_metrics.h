// HR@K and NDCG@K with one relevant item per row (log2 discount), the one implementation that SFT evaluation
// (eval/metrics: rank of the target among generated SIDs) and the SASRec baseline (baseline/sid_metrics: rank
// among SID-deduplicated items) both feed with 0-based ranks.
#pragma once
#include <cstddef>
#include <vector>

#include "util/json.h"

namespace sidr::util {

// Sums of HR@K / NDCG@K over rows; rank -1 is a miss. HR@K = share of rows with rank < K,
// NDCG@K = mean of [rank < K] / log2(rank + 2).
class RankingMetrics {
 public:
  explicit RankingMetrics(std::vector<int> ks);  // Error when empty or a K < 1; kept sorted
  void add(int rank);
  std::size_t rows() const { return rows_; }
  int max_k() const;
  const std::vector<int>& ks() const { return ks_; }
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

}  // namespace sidr::util
