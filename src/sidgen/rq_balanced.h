// Balanced (constrained) RQ-KMeans (reference §5.4, rq/rqkmeans_constrained.py): per level, constrained k-means
// (kmeans.h) on the residual R (R starts as the embeddings), then R <- R - C_l[labels]. Each level has its own
// seed derived from (seed, level), as the reference's RandomState(seed + l). Cluster sizes: the reference's
// [max(1, floor(N/K) - 1), floor(N/K) + 1], or `tight` [floor(N/K), ceil(N/K)].
#pragma once
#include <cstddef>
#include <cstdint>

#include "sidgen/npy.h"
#include "sidgen/residual_codes.h"

namespace sidr::sidgen {

enum class Balance { kReference, kTight };

struct RqBalancedOptions {
  std::size_t levels = 3;
  std::size_t codebook = 256;
  Balance balance = Balance::kReference;
  std::size_t max_iter = 100;  // rqkmeans_constrained.sh
  double tol = 1e-4;
  std::size_t n_init = 3;
  std::uint64_t seed = 42;
  bool squared_cost = false;   // false: Euclidean cost in the assignment, as k_means_constrained
  int threads = 0;             // 0: OpenMP's default (the distances run on faiss/BLAS)
  // Throws InputError naming the option: levels 1..26, codebook 2..4096 (the assignment keeps K x K state),
  // items >= codebook, max_iter >= 1, n_init >= 1, tol >= 0.
  void validate(std::size_t items) const;
};

struct SizeBounds {
  std::size_t min = 0, max = 0;
};
SizeBounds cluster_size_bounds(std::size_t items, std::size_t codebook, Balance balance);

ResidualCodes rq_balanced(const Matrix& embeddings, const RqBalancedOptions& options);

}  // namespace sidr::sidgen
