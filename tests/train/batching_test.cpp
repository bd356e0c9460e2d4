#include "train/batching.h"

#include <algorithm>
#include <set>

#include <gtest/gtest.h>

#include "util/error.h"

namespace sidr::train {
namespace {

TEST(Collate, LeftPadsAndMasksTheFirstToken) {
  std::vector<Sample> samples = {{{5, 6, 7}, {-100, -100, 7}}, {{8, 9}, {8, 9}}};
  Batch batch = collate(samples, {0, 1}, /*pad_id=*/2);
  auto ids = batch.input_ids;
  EXPECT_TRUE(torch::equal(ids, torch::tensor({5, 6, 7, 2, 8, 9}, torch::kInt64).view({2, 3})));
  EXPECT_TRUE(torch::equal(batch.attention_mask, torch::tensor({1, 1, 1, 0, 1, 1}, torch::kInt64).view({2, 3})));
  // Row 1's first token (8) is not a target: nothing precedes it but padding.
  EXPECT_TRUE(
      torch::equal(batch.labels, torch::tensor({-100, -100, 7, -100, -100, 9}, torch::kInt64).view({2, 3})));
  EXPECT_EQ(batch.tokens, 5);
  EXPECT_EQ(batch.label_tokens, 2);
}

TEST(Collate, RejectsMismatchedLabels) {
  std::vector<Sample> samples = {{{1, 2}, {1}}};
  EXPECT_THROW(collate(samples, {0}, 0), Error);
}

std::vector<std::size_t> lengths_for(std::size_t n) {
  std::vector<std::size_t> lengths;
  for (std::size_t i = 0; i < n; ++i) lengths.push_back(1 + (i * 7919) % 23);
  return lengths;
}

std::multiset<std::size_t> step_rows(const StepPlan& step) {
  std::multiset<std::size_t> rows;
  for (const auto& micro : step.micro_batches) rows.insert(micro.begin(), micro.end());
  return rows;
}

TEST(PlanEpoch, EverySampleOncePerEpochInSeededOrder) {
  auto lengths = lengths_for(103);
  BatchingOptions options{16, 4, 42};
  auto plan = plan_epoch(lengths, options, 0, 0, 1);
  ASSERT_EQ(static_cast<std::int64_t>(plan.size()), steps_per_epoch(103, 16));
  EXPECT_EQ(plan.size(), 7u);
  std::multiset<std::size_t> all;
  for (const auto& step : plan) {
    auto rows = step_rows(step);
    all.insert(rows.begin(), rows.end());
    for (const auto& micro : step.micro_batches) {
      EXPECT_LE(micro.size(), 4u);
      EXPECT_TRUE(std::is_sorted(micro.begin(), micro.end(),
                                 [&](auto a, auto b) { return lengths[a] > lengths[b]; }));
    }
  }
  EXPECT_EQ(all.size(), 103u);
  EXPECT_EQ(std::set<std::size_t>(all.begin(), all.end()).size(), 103u);
  // A step is a consecutive chunk of the epoch's permutation, whatever the micro-batch size.
  auto order = seeded_permutation(103, 42 * 1000003ULL + 0);
  EXPECT_EQ(step_rows(plan[1]), std::multiset<std::size_t>(order.begin() + 16, order.begin() + 32));
  EXPECT_EQ(step_rows(plan_epoch(lengths, BatchingOptions{16, 1, 42}, 0, 0, 1)[1]), step_rows(plan[1]));
}

TEST(PlanEpoch, DeterministicPerSeedAndEpoch) {
  auto lengths = lengths_for(50);
  BatchingOptions options{8, 2, 7};
  auto a = plan_epoch(lengths, options, 3, 0, 1);
  auto b = plan_epoch(lengths, options, 3, 0, 1);
  auto c = plan_epoch(lengths, options, 4, 0, 1);
  EXPECT_EQ(step_rows(a[0]), step_rows(b[0]));
  EXPECT_NE(step_rows(a[0]), step_rows(c[0]));
  options.seed = 8;
  EXPECT_NE(step_rows(a[0]), step_rows(plan_epoch(lengths, options, 3, 0, 1)[0]));
}

TEST(PlanEpoch, RanksSplitEachStepWithoutOverlap) {
  auto lengths = lengths_for(70);
  BatchingOptions options{12, 3, 42};
  auto single = plan_epoch(lengths, options, 1, 0, 1);
  auto rank0 = plan_epoch(lengths, options, 1, 0, 2);
  auto rank1 = plan_epoch(lengths, options, 1, 1, 2);
  ASSERT_EQ(single.size(), rank0.size());
  ASSERT_EQ(single.size(), rank1.size());
  for (std::size_t s = 0; s < single.size(); ++s) {
    auto a = step_rows(rank0[s]);
    auto b = step_rows(rank1[s]);
    std::multiset<std::size_t> both(a.begin(), a.end());
    both.insert(b.begin(), b.end());
    EXPECT_EQ(both, step_rows(single[s])) << s;
    // The same micro-batches as one rank, each owned by exactly one rank.
    std::multiset<std::vector<std::size_t>> dealt(rank0[s].micro_batches.begin(), rank0[s].micro_batches.end());
    dealt.insert(rank1[s].micro_batches.begin(), rank1[s].micro_batches.end());
    EXPECT_EQ(dealt, std::multiset<std::vector<std::size_t>>(single[s].micro_batches.begin(),
                                                             single[s].micro_batches.end())) << s;
  }
}

std::size_t padded_tokens(const StepPlan& plan, const std::vector<std::size_t>& lengths) {
  std::size_t total = 0;
  for (const auto& micro : plan.micro_batches) {
    std::size_t longest = 0;
    for (auto row : micro) longest = std::max(longest, lengths[row]);
    total += longest * micro.size();
  }
  return total;
}

// A few long samples (narratives) among short ones (SID sequences): the old plan gave one rank the 64 longest
// rows padded to a narrative's length and the other the 64 shortest, so one rank worked ~8x longer.
TEST(PlanEpoch, RanksPadAboutTheSameTokensWhenLengthsAreMixed) {
  std::vector<std::size_t> lengths;
  std::uint64_t state = 5;
  for (std::size_t i = 0; i < 1280; ++i)
    lengths.push_back(i % 14 == 0 ? 300 + splitmix64(state) % 200 : 20 + splitmix64(state) % 60);
  BatchingOptions options{128, 64, 42};
  auto rank0 = plan_epoch(lengths, options, 0, 0, 2);
  auto rank1 = plan_epoch(lengths, options, 0, 1, 2);
  auto single = plan_epoch(lengths, options, 0, 0, 1);
  for (std::size_t s = 0; s < rank0.size(); ++s) {
    double a = static_cast<double>(padded_tokens(rank0[s], lengths));
    double b = static_cast<double>(padded_tokens(rank1[s], lengths));
    EXPECT_LT(std::max(a, b) / std::min(a, b), 1.35) << "step " << s << ": " << a << " vs " << b;
    // Cutting long rows into smaller batches pads far fewer tokens than 2 batches of 64 would.
    auto step = step_rows(single[s]);
    std::vector<std::size_t> sorted;
    for (auto row : step) sorted.push_back(lengths[row]);
    std::sort(sorted.rbegin(), sorted.rend());
    double naive = 64.0 * sorted[0] + 64.0 * sorted[64];
    EXPECT_LT(a + b, 0.6 * naive) << s;
    for (const auto& micro : single[s].micro_batches) EXPECT_LE(micro.size(), 64u);
  }
}

}  // namespace
}  // namespace sidr::train
