// SID-deduplicated ranking metrics against hand-computed values and a brute force over random rankings.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <set>

#include <gtest/gtest.h>

#include "baseline/sasrec_trainer.h"
#include "baseline/sid_metrics.h"
#include "util/error.h"

namespace sidr::baseline {
namespace {

TEST(SidMetrics, CollidedSidCountsOnceAtItsBestItem) {
  // items 0..5; items 1 and 3 share SID 1, items 2 and 4 share SID 2.
  std::vector<std::int32_t> item_sid = {0, 1, 2, 1, 2, 3};
  std::vector<std::int64_t> ranked = {3, 1, 4, 0, 2, 5};  // SIDs 1,1,2,0,2,3
  auto sids = dedup_sids(ranked.data(), ranked.size(), item_sid, 10);
  EXPECT_EQ(sids, (std::vector<std::int32_t>{1, 2, 0, 3}));
  EXPECT_EQ(first_rank(sids, 0), 2);  // target item 0: two distinct SIDs before it, not three items
  EXPECT_EQ(first_rank(sids, 3), 3);
  EXPECT_EQ(first_rank(sids, 7), -1);
  auto capped = dedup_sids(ranked.data(), ranked.size(), item_sid, 2);
  EXPECT_EQ(capped, (std::vector<std::int32_t>{1, 2}));
}

// Brute force: rank of the target SID = number of distinct SIDs that have an item ranked before the target
// SID's best item, where "before" is (higher score, or equal score and lower id).
int brute_force_rank(const std::vector<float>& scores, const std::vector<std::int32_t>& item_sid,
                     std::int32_t target_sid) {
  const auto n = scores.size();
  auto before = [&](std::size_t a, std::size_t b) {
    return scores[a] != scores[b] ? scores[a] > scores[b] : a < b;
  };
  std::size_t best = n;
  for (std::size_t i = 0; i < n; ++i)
    if (item_sid[i] == target_sid && (best == n || before(i, best))) best = i;
  std::set<std::int32_t> ahead;
  for (std::size_t i = 0; i < n; ++i)
    if (before(i, best)) ahead.insert(item_sid[i]);
  return static_cast<int>(ahead.size());
}

TEST(SidMetrics, TopItemsAndDedupMatchBruteForceWithTiesAndCollisions) {
  std::mt19937 rng(7);
  const std::size_t n = 60, max_k = 10;
  for (int trial = 0; trial < 200; ++trial) {
    // 60 items over 45 SIDs (15 collisions); scores from 8 levels so ties are common.
    std::vector<std::int32_t> item_sid(n);
    for (std::size_t i = 0; i < n; ++i) item_sid[i] = static_cast<std::int32_t>(i < 45 ? i : rng() % 45);
    std::set<std::int32_t> distinct(item_sid.begin(), item_sid.end());
    const auto rows = 4;
    auto logits = torch::randint(0, 8, {rows, static_cast<std::int64_t>(n)}, torch::kFloat32);
    const auto columns = items_needed_for(max_k, n, distinct.size());
    auto ranked = top_items(logits, static_cast<std::int64_t>(columns));
    ASSERT_EQ(ranked.size(1), static_cast<std::int64_t>(columns));
    for (int r = 0; r < rows; ++r) {
      std::vector<float> scores(n);
      for (std::size_t i = 0; i < n; ++i) scores[i] = logits[r][static_cast<std::int64_t>(i)].item<float>();
      // top_items = the first columns of a stable descending sort
      std::vector<std::size_t> order(n);
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return scores[a] > scores[b]; });
      for (std::size_t c = 0; c < columns; ++c)
        ASSERT_EQ(ranked[r][static_cast<std::int64_t>(c)].item<std::int64_t>(), static_cast<std::int64_t>(order[c]));
      auto sids = dedup_sids(ranked[r].contiguous().data_ptr<std::int64_t>(), columns, item_sid, max_k);
      ASSERT_EQ(sids.size(), max_k);  // enough columns for max_k distinct SIDs, always
      for (std::int32_t target : {item_sid[rng() % n], item_sid[rng() % n]}) {
        int expected = brute_force_rank(scores, item_sid, target);
        int got = first_rank(sids, target);
        ASSERT_EQ(got, expected < static_cast<int>(max_k) ? expected : -1) << "trial " << trial;
      }
    }
  }
}

}  // namespace
}  // namespace sidr::baseline
