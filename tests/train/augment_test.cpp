#include "train/augment.h"

#include <map>
#include <set>

#include <gtest/gtest.h>

#include "util/error.h"

namespace sidr::train {
namespace {

// Token ids: 1 = sequence start; items are 3 tokens, an item opener (10 + k) then two level tokens (100 + k, 200 + k)
// so every output token tells which item it came from.
constexpr std::int32_t kStart = 1;

std::vector<bool> openers() {
  std::vector<bool> is_start(300, false);
  for (int k = 0; k < 50; ++k) is_start[10 + k] = true;
  return is_start;
}

// n items; items from `first_target` on are supervised (as a sequence-style sample).
Sample sequence(int n, int first_target) {
  Sample s;
  s.input_ids.push_back(kStart);
  s.labels.push_back(kIgnoreLabel);
  for (int k = 0; k < n; ++k)
    for (std::int32_t id : {10 + k, 100 + k, 200 + k}) {
      s.input_ids.push_back(id);
      s.labels.push_back(k >= first_target ? id : kIgnoreLabel);
    }
  return s;
}

// The items of an output, checking that each one is whole and in the original's order.
std::vector<int> items_of(const Sample& out, const Sample& original) {
  EXPECT_EQ(out.input_ids.size(), out.labels.size());
  EXPECT_EQ(out.input_ids[0], kStart);
  EXPECT_EQ((out.input_ids.size() - 1) % 3, 0u);
  std::vector<int> items;
  for (std::size_t t = 1; t + 2 < out.input_ids.size(); t += 3) {
    int k = out.input_ids[t] - 10;
    EXPECT_EQ(out.input_ids[t + 1], 100 + k);
    EXPECT_EQ(out.input_ids[t + 2], 200 + k);
    const std::size_t at = 1 + 3 * static_cast<std::size_t>(k);
    for (std::size_t j = 0; j < 3; ++j) {
      // The first item kept is context; every other item keeps its labels.
      std::int32_t expected = items.empty() ? kIgnoreLabel : original.labels[at + j];
      EXPECT_EQ(out.labels[t + j], expected);
    }
    if (!items.empty()) EXPECT_GT(k, items.back());
    items.push_back(k);
  }
  return items;
}

TEST(Augment, ParsesAndPrintsOptions) {
  auto o = AugmentOptions::parse("crop=0.5,drop=0.1");
  EXPECT_DOUBLE_EQ(o.crop, 0.5);
  EXPECT_DOUBLE_EQ(o.drop, 0.1);
  EXPECT_EQ(AugmentOptions::parse(o.to_string()).crop, 0.5);
  EXPECT_EQ(AugmentOptions::parse(o.to_string()).drop, 0.1);
  EXPECT_FALSE(AugmentOptions::parse("").enabled());
  EXPECT_FALSE(AugmentOptions::parse("none").enabled());
  EXPECT_EQ(AugmentOptions::parse("none").to_string(), "none");
  EXPECT_TRUE(AugmentOptions::parse(" drop = 0.2 ").enabled());
  for (const char* bad : {"crop=1", "crop=-0.1", "crop=x", "crop=0.5x", "mask=0.1", "crop", "crop=0.1,,"}) {
    try {
      AugmentOptions::parse(bad);
      ADD_FAILURE() << bad;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find("--augment"), std::string::npos) << e.what();
    }
  }
}

TEST(Augment, NothingToDoLeavesTheSampleAlone) {
  SequenceAugmenter none({0.0, 0.0}, openers(), 1);
  SequenceAugmenter strong({0.9, 0.9}, openers(), 1);
  std::uint64_t rng = 5;
  auto s = sequence(6, 1);
  auto same = none.augment(s, rng);
  EXPECT_EQ(same.input_ids, s.input_ids);
  EXPECT_EQ(same.labels, s.labels);
  // Two items (one context, one target) cannot lose anything; a chat prompt is not an item sequence.
  auto two = sequence(2, 1);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(strong.augment(two, rng).input_ids, two.input_ids);
  Sample chat{{kStart, 5, 6, 10, 100, 200, 11, 101, 201, 12, 102, 202}, {}};
  chat.labels.assign(chat.input_ids.size(), kIgnoreLabel);
  chat.labels.back() = 202;
  for (int i = 0; i < 20; ++i) EXPECT_EQ(strong.augment(chat, rng).input_ids, chat.input_ids);
}

// Brute force over many draws: outputs are in-order subsequences of whole items that end with the last item and
// keep two or more; crops happen with the asked probability and start uniformly; drops hit each item as asked.
TEST(Augment, DrawsFollowTheOptions) {
  const int n = 8;
  auto s = sequence(n, 1);
  const int draws = 20000;
  {
    SequenceAugmenter crop({0.4, 0.0}, openers(), 7);
    std::uint64_t rng = 11;
    std::map<int, int> starts;
    for (int i = 0; i < draws; ++i) {
      auto items = items_of(crop.augment(s, rng), s);
      ASSERT_GE(items.size(), 2u);
      EXPECT_EQ(items.back(), n - 1);
      EXPECT_EQ(static_cast<int>(items.size()), n - items.front());  // a crop keeps a contiguous tail
      ++starts[items.front()];
    }
    EXPECT_NEAR(starts[0] / double(draws), 0.6, 0.015);
    EXPECT_EQ(starts.size(), static_cast<std::size_t>(n - 1));  // starts 0..n-2
    for (int k = 1; k <= n - 2; ++k) EXPECT_NEAR(starts[k] / double(draws), 0.4 / (n - 2), 0.01) << k;
  }
  {
    SequenceAugmenter drop({0.0, 0.2}, openers(), 7);
    std::uint64_t rng = 13;
    std::vector<int> kept(n, 0);
    for (int i = 0; i < draws; ++i) {
      auto items = items_of(drop.augment(s, rng), s);
      ASSERT_GE(items.size(), 2u);
      EXPECT_EQ(items.back(), n - 1);
      for (int k : items) ++kept[k];
    }
    EXPECT_EQ(kept[n - 1], draws);
    // With 8 items the two-item floor almost never binds: each earlier item stays with probability 0.8.
    for (int k = 0; k + 1 < n; ++k) EXPECT_NEAR(kept[k] / double(draws), 0.8, 0.015) << k;
  }
  {
    // A three-item sample under heavy drops still keeps two items.
    SequenceAugmenter heavy({0.0, 0.95}, openers(), 7);
    auto three = sequence(3, 1);
    std::uint64_t rng = 17;
    std::set<std::vector<int>> seen;
    for (int i = 0; i < 2000; ++i) seen.insert(items_of(heavy.augment(three, rng), three));
    EXPECT_EQ(seen, (std::set<std::vector<int>>{{0, 1, 2}, {1, 2}, {0, 2}}));
  }
}

TEST(Augment, EpochsArePureFunctionsOfSeedEpochAndIndex) {
  std::vector<Sample> base;
  for (int i = 0; i < 50; ++i) base.push_back(sequence(3 + i % 8, 1 + i % 2));
  SequenceAugmenter a({0.5, 0.1}, openers(), 42), b({0.5, 0.1}, openers(), 42), c({0.5, 0.1}, openers(), 43);
  auto e0 = a.epoch_samples(base, 0);
  auto again = b.epoch_samples(base, 0);
  auto e1 = a.epoch_samples(base, 1);
  auto other_seed = c.epoch_samples(base, 0);
  ASSERT_EQ(e0.size(), base.size());
  int differ_epoch = 0, differ_seed = 0;
  for (std::size_t i = 0; i < base.size(); ++i) {
    EXPECT_EQ(e0[i].input_ids, again[i].input_ids);
    EXPECT_EQ(e0[i].labels, again[i].labels);
    differ_epoch += e0[i].input_ids != e1[i].input_ids;
    differ_seed += e0[i].input_ids != other_seed[i].input_ids;
    items_of(e0[i], base[i]);
  }
  EXPECT_GT(differ_epoch, 10);
  EXPECT_GT(differ_seed, 10);
}

}  // namespace
}  // namespace sidr::train
