// PythonRandom against values printed by CPython 3.11.2 (/usr/bin/python3):
//   random.seed(42); [random.randint(0,10) for _ in range(20)]
//   random.seed(42); random.getrandbits(32), random.getrandbits(40), random.getrandbits(64)
//   random.seed(2**40+7); [random.randint(0,10) for _ in range(5)], random.random()
//   random.seed(42); x=list(range(10)); random.shuffle(x)
//   random.seed(42); random.sample(range(100),10); random.sample(range(10),7)   (same generator, in order)
//   random.seed(0); [random.randint(0,10) for _ in range(5)]
// tests/tasks/test_t4_instructions.py checks longer sequences against a live python3 through the CLI.
#include <gtest/gtest.h>

#include "tasks/python_random.h"

namespace sidr::tasks {
namespace {

TEST(PythonRandom, RandintAfterSeed42) {
  PythonRandom rng(42);
  const std::vector<std::int64_t> expected = {10, 1, 0, 4, 3, 3, 2, 1, 10, 8, 1, 9, 6, 0, 0, 1, 3, 3, 8, 9};
  for (auto e : expected) EXPECT_EQ(rng.randint(0, 10), e);
}

TEST(PythonRandom, Getrandbits) {
  PythonRandom rng(42);
  EXPECT_EQ(rng.getrandbits(32), 2746317213ULL);
  EXPECT_EQ(rng.getrandbits(40), 26247967103ULL);
  EXPECT_EQ(rng.getrandbits(64), 5073395517033431291ULL);
}

TEST(PythonRandom, MultiWordSeedAndRandom) {
  PythonRandom rng((1ULL << 40) + 7);
  const std::vector<std::int64_t> expected = {9, 10, 9, 7, 4};
  for (auto e : expected) EXPECT_EQ(rng.randint(0, 10), e);
  EXPECT_DOUBLE_EQ(rng.random(), 0.9481332869499145);
}

TEST(PythonRandom, SeedZero) {
  PythonRandom rng(0);
  const std::vector<std::int64_t> expected = {6, 6, 0, 4, 8};
  for (auto e : expected) EXPECT_EQ(rng.randint(0, 10), e);
}

TEST(PythonRandom, Shuffle) {
  PythonRandom rng(42);
  EXPECT_EQ(rng.shuffled_indices(10), (std::vector<std::size_t>{7, 3, 2, 8, 5, 6, 9, 4, 0, 1}));
}

TEST(PythonRandom, SampleBothBranches) {
  PythonRandom rng(42);
  // n = 100 > setsize (21 + 4^ceil(log4(30)) = 85): the set branch.
  EXPECT_EQ(rng.sample_indices(100, 10), (std::vector<std::size_t>{81, 14, 3, 94, 35, 31, 28, 17, 13, 86}));
  // n = 10 <= setsize: the pool branch.
  EXPECT_EQ(rng.sample_indices(10, 7), (std::vector<std::size_t>{8, 1, 6, 0, 7, 5, 9}));
}

}  // namespace
}  // namespace sidr::tasks
