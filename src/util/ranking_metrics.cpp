#include "util/ranking_metrics.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "util/error.h"

namespace sidr::util {

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

}  // namespace sidr::util
