// HR@K / NDCG@K against hand-computed values.
#include "util/ranking_metrics.h"

#include <cmath>

#include <gtest/gtest.h>

#include "util/error.h"

namespace sidr::util {
namespace {

TEST(RankingMetrics, HandComputedHrAndNdcg) {
  RankingMetrics m({10, 1, 3, 5});
  for (int rank : {0, 2, -1, 9, 4}) m.add(rank);
  EXPECT_EQ(m.rows(), 5u);
  EXPECT_DOUBLE_EQ(m.hr(1), 1.0 / 5);
  EXPECT_DOUBLE_EQ(m.hr(3), 2.0 / 5);
  EXPECT_DOUBLE_EQ(m.hr(5), 3.0 / 5);
  EXPECT_DOUBLE_EQ(m.hr(10), 4.0 / 5);
  EXPECT_DOUBLE_EQ(m.ndcg(1), 1.0 / 5);
  EXPECT_DOUBLE_EQ(m.ndcg(3), (1.0 + 0.5) / 5);                              // 1/log2(2) + 1/log2(4)
  EXPECT_NEAR(m.ndcg(5), (1.0 + 0.5 + 1.0 / std::log2(6.0)) / 5, 1e-15);
  EXPECT_NEAR(m.ndcg(10), (1.0 + 0.5 + 1.0 / std::log2(6.0) + 1.0 / std::log2(11.0)) / 5, 1e-15);
  auto json = m.to_json();
  EXPECT_EQ(json.begin().key(), "HR@1");
  EXPECT_DOUBLE_EQ(json["NDCG@3"].get<double>(), 0.3);
  EXPECT_THROW(m.hr(20), Error);
  EXPECT_THROW(RankingMetrics({0}), Error);
}

}  // namespace
}  // namespace sidr::util
