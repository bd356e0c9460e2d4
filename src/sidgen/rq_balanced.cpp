#include "sidgen/rq_balanced.h"

#include <algorithm>
#include <string>


#include "sidgen/kmeans.h"
#include "sidgen/threads.h"
#include "util/error.h"

namespace sidr::sidgen {

void RqBalancedOptions::validate(std::size_t items) const {
  auto bad = [](const char* field, const std::string& message) { throw_input_error(Location{"", 0, 0, field}, message); };
  if (levels < 1 || levels > 26) bad("--levels", "expected 1..26 levels, found " + std::to_string(levels));
  if (codebook < 2 || codebook > 4096)
    bad("--codebook", "balanced RQ-KMeans needs 2..4096 codes per level, found " + std::to_string(codebook));
  if (items < codebook)
    bad("--codebook", "balanced k-means needs at least as many items (" + std::to_string(items) + ") as centroids (" +
                          std::to_string(codebook) + ")");
  if (max_iter < 1) bad("--max-iter", "expected at least 1 iteration");
  if (n_init < 1) bad("--n-init", "expected at least 1 initialisation");
  if (!(tol >= 0)) bad("--tol", "expected a tolerance >= 0");
}

SizeBounds cluster_size_bounds(std::size_t items, std::size_t codebook, Balance balance) {
  std::size_t floor = items / codebook;
  if (balance == Balance::kTight) return {floor, floor + (items % codebook ? 1 : 0)};
  return {std::max<std::size_t>(1, floor > 0 ? floor - 1 : 0), floor + 1};
}

ResidualCodes rq_balanced(const Matrix& x, const RqBalancedOptions& o) {
  o.validate(x.rows);
  set_compute_threads(o.threads);
  SizeBounds bounds = cluster_size_bounds(x.rows, o.codebook, o.balance);
  ResidualCodes out;
  out.items = x.rows;
  out.levels = o.levels;
  out.codebook = o.codebook;
  out.dim = x.cols;
  out.codes.resize(x.rows * o.levels);
  out.codebooks.resize(o.levels * o.codebook * x.cols);
  std::vector<float> residual(x.values);
  for (std::size_t l = 0; l < o.levels; ++l) {
    ConstrainedKmeansOptions k;
    k.clusters = o.codebook;
    k.size_min = bounds.min;
    k.size_max = bounds.max;
    k.max_iter = o.max_iter;
    k.tol = o.tol;
    k.n_init = o.n_init;
    k.seed = derive_seed(o.seed, l);
    k.squared_cost = o.squared_cost;
    KmeansResult r = constrained_kmeans(residual.data(), x.rows, x.cols, k);
    std::copy(r.centers.begin(), r.centers.end(), out.codebooks.begin() + l * o.codebook * x.cols);
    for (std::size_t i = 0; i < x.rows; ++i) {
      out.codes[i * o.levels + l] = r.labels[i];
      const float* c = r.centers.data() + static_cast<std::size_t>(r.labels[i]) * x.cols;
      for (std::size_t j = 0; j < x.cols; ++j) residual[i * x.cols + j] -= c[j];
    }
  }
  measure_reconstruction(x, out);
  return out;
}

}  // namespace sidr::sidgen
