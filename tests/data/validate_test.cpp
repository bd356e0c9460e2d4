#include <gtest/gtest.h>

#include "data/validate.h"
#include "data_test_util.h"

using namespace sidr::data;
using namespace sidr::data::testing;

TEST(Validate, MiniStatistics) {
  CheckReport report = check_dataset(mini_paths());
  const DatasetStats& s = report.stats;
  EXPECT_EQ(s.items, 5u);
  EXPECT_EQ(s.distinct_sids, 4u);
  EXPECT_EQ(s.collided_groups, 1u);
  EXPECT_EQ(s.collided_items, 2u);
  EXPECT_EQ(s.largest_group, 2u);
  EXPECT_EQ(s.tokens_per_level, (std::vector<std::size_t>{3, 3, 4}));
  ASSERT_EQ(s.splits.size(), 3u);
  EXPECT_EQ(s.splits[0].rows, 5u);
  EXPECT_EQ(s.splits[0].users, 3u);
  EXPECT_EQ(s.splits[0].history_lengths, (std::map<std::size_t, std::size_t>{{1, 2}, {2, 2}, {3, 1}}));
  EXPECT_DOUBLE_EQ(s.splits[0].mean_history_length(), 9.0 / 5.0);
  EXPECT_EQ(s.splits[1].rows, 2u);
  EXPECT_EQ(s.splits[2].rows, 1u);
  EXPECT_TRUE(report.warnings.empty());
  std::string text = format_report(report);
  EXPECT_NE(text.find("items             5\n"), std::string::npos) << text;
  EXPECT_NE(text.find("rows              5/2/1 (train/valid/test)\n"), std::string::npos) << text;
}

// The numbers the issue asks for (sidreasoner.md 2.1-2.3); the histogram as Python computes it.
TEST(Validate, ShippedIndustrialStatistics) {
  CheckReport report = check_dataset(shipped_paths());
  const DatasetStats& s = report.stats;
  EXPECT_EQ(s.items, 3686u);
  EXPECT_EQ(s.distinct_sids, 3670u);
  EXPECT_EQ(s.collided_groups, 15u);
  EXPECT_EQ(s.tokens_per_level, (std::vector<std::size_t>{48, 256, 256}));
  ASSERT_EQ(s.splits.size(), 3u);
  EXPECT_EQ(s.splits[0].rows, 36259u);
  EXPECT_EQ(s.splits[1].rows, 4532u);
  EXPECT_EQ(s.splits[2].rows, 4533u);
  EXPECT_EQ(s.splits[2].history_lengths,
            (std::map<std::size_t, std::size_t>{{1, 267}, {2, 412}, {3, 606}, {4, 1104}, {5, 672}, {6, 406}, {7, 265},
                                                {8, 194}, {9, 130}, {10, 477}}));
  EXPECT_EQ(s.splits[0].history_lengths.at(10), 2419u);
  EXPECT_TRUE(report.warnings.empty());
}

TEST(Validate, ThousandsSeparators) {
  EXPECT_EQ(with_thousands(0), "0");
  EXPECT_EQ(with_thousands(999), "999");
  EXPECT_EQ(with_thousands(3686), "3,686");
  EXPECT_EQ(with_thousands(1234567), "1,234,567");
}
