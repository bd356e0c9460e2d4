// Python's `random` module (CPython's MT19937), reproduced draw for draw: seed(int) via init_by_array,
// getrandbits, _randbelow, randint, random, shuffle and sample. The reference draws T4's instruction per row
// with random.seed(42) + random.randint(0, 10) and samples T8 with random.sample.
#pragma once
#include <array>
#include <cstdint>
#include <vector>

namespace sidr::tasks {

class PythonRandom {
 public:
  explicit PythonRandom(std::uint64_t seed = 42) { seed_int(seed); }

  // random.seed(n) for a non-negative int n: init_by_array over the 32-bit words of n, least significant first.
  void seed_int(std::uint64_t seed);

  std::uint32_t genrand_uint32();
  // random.getrandbits(k), 0 <= k <= 64.
  std::uint64_t getrandbits(int k);
  // random._randbelow(n) (rejection sampling on getrandbits(n.bit_length())), n >= 1.
  std::uint64_t randbelow(std::uint64_t n);
  // random.randint(a, b), a <= b: a + _randbelow(b - a + 1).
  std::int64_t randint(std::int64_t a, std::int64_t b);
  // random.random(): 53-bit float in [0, 1).
  double random();
  // random.shuffle(x) applied to the index permutation 0..n-1.
  std::vector<std::size_t> shuffled_indices(std::size_t n);
  // random.sample(range(n), k): the selected indices in draw order (k <= n).
  std::vector<std::size_t> sample_indices(std::size_t n, std::size_t k);

 private:
  std::array<std::uint32_t, 624> state_{};
  int index_ = 625;
};

}  // namespace sidr::tasks
