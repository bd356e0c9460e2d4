// Sinkhorn-Knopp re-assignment of colliding items (reference §5.2.4 and the dedup loop of §5.2.5,
// rq/models/layers.py sinkhorn_algorithm, vq.py center_distance_for_constraint, rq/generate_indices.py).
// For a B x K squared-distance matrix D: centre it to [-1, 1] with m = (max + min) / 2 and a = max - m + 1e-5,
// Q = exp(-D'/eps) in float64, Q /= sum(Q), then `iters` rounds of (rows to 1/B, columns to 1/K), Q *= B; each row's
// code is argmax Q (the first index on ties, so identical rows keep colliding, as the shipped <c_0> groups do).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace sidr::sidgen {

struct SinkhornOptions {
  double epsilon = 0.003;  // generate_indices.py sets the last level's epsilon to 0.003 when it was 0
  std::size_t iters = 50;  // rqvae.py's sk_iters
  std::size_t rounds = 20; // generate_indices.py's cap on re-assignment rounds
  void validate() const;   // InputError: epsilon > 0, iters >= 1, rounds >= 1
};

// Codes (0-based) for `b` rows of `inputs` (b x dim) against `codebook` (k x dim).
std::vector<std::int64_t> sinkhorn_codes(const float* inputs, std::size_t b, const float* codebook, std::size_t k,
                                         std::size_t dim, const SinkhornOptions& options);

struct SinkhornDedupStats {
  std::size_t rounds = 0;          // rounds run (each re-assigns every group that still collides)
  std::size_t changed_items = 0;   // items whose last code differs from the start
};

// The dedup loop: while some full code (levels values) is shared and fewer than `rounds` rounds ran, each group
// sharing one gets its last-level codes from sinkhorn_codes over the group's members only. `last_inputs` is
// items x dim, the last level's input per item; `last_codebook` k x dim. Earlier levels never change.
SinkhornDedupStats sinkhorn_dedup(std::vector<std::int64_t>& codes, std::size_t items, std::size_t levels,
                                  const float* last_inputs, const float* last_codebook, std::size_t k, std::size_t dim,
                                  const SinkhornOptions& options);

}  // namespace sidr::sidgen
