// k-means as the reference's libraries run it, on float32 rows:
// - constrained_kmeans: k_means_constrained's KMeansConstrained (reference §5.4): k-means++ init, then E-steps
//   that are exact size-constrained assignments (balanced_assign.h) and M-steps that are cluster means, up to
//   max_iter iterations or until the squared centre shift is <= tol * mean feature variance; the best of n_init
//   runs by inertia. The E-step cost is the Euclidean distance (not squared: k_means_constrained passes
//   euclidean_distances(squared=False) to its min-cost flow) unless `squared_cost`.
// - lloyd_kmeans: scikit-learn's KMeans (k-means++ init, Lloyd, tol 1e-4 relative), the RQ-VAE codebook init
//   (reference §5.2.2).
// Random numbers come from our own generator (std::mt19937_64), not numpy's: the same seed gives the same result
// here, not the reference's.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace sidr::sidgen {

struct KmeansResult {
  std::vector<float> centers;         // clusters x dim
  std::vector<std::int32_t> labels;   // per row
  double inertia = 0;                 // sum of squared distances to the assigned centre
  std::size_t iterations = 0;         // of the chosen run
};

struct ConstrainedKmeansOptions {
  std::size_t clusters = 256;
  std::size_t size_min = 1, size_max = 1;
  std::size_t max_iter = 100;
  double tol = 1e-4;          // relative: times the mean per-feature variance
  std::size_t n_init = 3;
  std::uint64_t seed = 0;
  bool squared_cost = false;  // false: Euclidean distance, as k_means_constrained
};

KmeansResult constrained_kmeans(const float* x, std::size_t n, std::size_t dim, const ConstrainedKmeansOptions& options);

struct LloydOptions {
  std::size_t clusters = 256;
  std::size_t max_iter = 100;
  double tol = 1e-4;  // relative, as scikit-learn
  std::size_t n_init = 1;
  std::uint64_t seed = 0;
};

KmeansResult lloyd_kmeans(const float* x, std::size_t n, std::size_t dim, const LloydOptions& options);

// Squared distances, n x k (faiss's BLAS path; negative rounding clamped to 0).
std::vector<float> squared_distances(const float* x, std::size_t n, const float* centers, std::size_t k,
                                     std::size_t dim);

// A well-mixed 64-bit seed for stream `index` of `seed` (levels, inits).
std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t index);

}  // namespace sidr::sidgen
