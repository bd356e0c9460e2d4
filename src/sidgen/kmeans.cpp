#include "sidgen/kmeans.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include <faiss/utils/distances.h>

#include "sidgen/balanced_assign.h"

namespace sidr::sidgen {
namespace {

struct Rng {
  explicit Rng(std::uint64_t seed) : engine(seed) {}
  double uniform() { return static_cast<double>(engine() >> 11) * 0x1.0p-53; }  // [0, 1)
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(engine() % n); }
  std::mt19937_64 engine;
};

// Rows minus their column means (both libraries centre the data first), and the mean.
std::vector<float> centred(const float* x, std::size_t n, std::size_t dim, std::vector<double>& mean) {
  mean.assign(dim, 0.0);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < dim; ++j) mean[j] += x[i * dim + j];
  for (double& m : mean) m /= static_cast<double>(n);
  std::vector<float> out(n * dim);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < dim; ++j) out[i * dim + j] = static_cast<float>(x[i * dim + j] - mean[j]);
  return out;
}

// tol * mean over features of the (population) variance, as scikit-learn's _tolerance.
double absolute_tol(const std::vector<float>& xc, std::size_t n, std::size_t dim, double tol) {
  double sum = 0;
  for (std::size_t j = 0; j < dim; ++j) {
    double mean = 0, sq = 0;
    for (std::size_t i = 0; i < n; ++i) mean += xc[i * dim + j];
    mean /= static_cast<double>(n);
    for (std::size_t i = 0; i < n; ++i) sq += (xc[i * dim + j] - mean) * (xc[i * dim + j] - mean);
    sum += sq / static_cast<double>(n);
  }
  return sum / static_cast<double>(dim) * tol;
}

// scikit-learn's greedy k-means++: each new centre is the best (lowest potential) of 2 + ln(k) candidates drawn
// with probability proportional to the squared distance to the nearest centre so far.
std::vector<float> kmeans_plus_plus(const std::vector<float>& x, std::size_t n, std::size_t dim, std::size_t k,
                                    Rng& rng) {
  std::vector<float> centers(k * dim);
  std::size_t trials = 2 + static_cast<std::size_t>(std::log(static_cast<double>(k)));
  std::size_t first = rng.below(n);
  std::copy(x.begin() + first * dim, x.begin() + (first + 1) * dim, centers.begin());
  std::vector<float> closest = squared_distances(x.data() + first * dim, 1, x.data(), n, dim);
  double potential = 0;
  for (float v : closest) potential += v;
  std::vector<double> cumsum(n);
  std::vector<float> candidates(trials * dim);
  std::vector<std::size_t> ids(trials);
  for (std::size_t c = 1; c < k; ++c) {
    double run = 0;
    for (std::size_t i = 0; i < n; ++i) cumsum[i] = run += closest[i];
    for (std::size_t t = 0; t < trials; ++t) {
      double r = rng.uniform() * potential;
      std::size_t id = static_cast<std::size_t>(std::lower_bound(cumsum.begin(), cumsum.end(), r) - cumsum.begin());
      ids[t] = std::min(id, n - 1);
      std::copy(x.begin() + ids[t] * dim, x.begin() + (ids[t] + 1) * dim, candidates.begin() + t * dim);
    }
    std::vector<float> dist = squared_distances(candidates.data(), trials, x.data(), n, dim);
    std::size_t best = 0;
    double best_potential = std::numeric_limits<double>::infinity();
    for (std::size_t t = 0; t < trials; ++t) {
      double pot = 0;
      for (std::size_t i = 0; i < n; ++i) pot += std::min(closest[i], dist[t * n + i]);
      if (pot < best_potential) {
        best_potential = pot;
        best = t;
      }
    }
    for (std::size_t i = 0; i < n; ++i) closest[i] = std::min(closest[i], dist[best * n + i]);
    potential = best_potential;
    std::copy(x.begin() + ids[best] * dim, x.begin() + (ids[best] + 1) * dim, centers.begin() + c * dim);
  }
  return centers;
}

// Cluster means; an empty cluster (only possible without a lower bound) takes the row farthest from its centre.
std::vector<float> means(const std::vector<float>& x, std::size_t n, std::size_t dim, std::size_t k,
                         const std::vector<std::int32_t>& labels, const std::vector<float>& dist_to_own) {
  std::vector<double> sum(k * dim, 0.0);
  std::vector<std::size_t> count(k, 0);
  for (std::size_t i = 0; i < n; ++i) {
    ++count[labels[i]];
    for (std::size_t j = 0; j < dim; ++j) sum[labels[i] * dim + j] += x[i * dim + j];
  }
  std::vector<float> out(k * dim);
  std::vector<std::size_t> far;  // rows by decreasing distance to their centre, only when a cluster is empty
  if (std::find(count.begin(), count.end(), std::size_t{0}) != count.end()) {
    far.resize(n);
    for (std::size_t i = 0; i < n; ++i) far[i] = i;
    std::stable_sort(far.begin(), far.end(),
                     [&](std::size_t a, std::size_t b) { return dist_to_own[a] > dist_to_own[b]; });
  }
  std::size_t next_far = 0;
  for (std::size_t c = 0; c < k; ++c) {
    if (count[c] == 0) {
      std::size_t row = far[next_far++ % n];
      std::copy(x.begin() + row * dim, x.begin() + (row + 1) * dim, out.begin() + c * dim);
      continue;
    }
    for (std::size_t j = 0; j < dim; ++j) out[c * dim + j] = static_cast<float>(sum[c * dim + j] / count[c]);
  }
  return out;
}

double shift(const std::vector<float>& a, const std::vector<float>& b) {
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
  return s;
}

struct Estep {
  std::vector<std::int32_t> labels;
  std::vector<float> dist;  // squared distance to the assigned centre
  double inertia = 0;
};

Estep constrained_estep(const std::vector<float>& x, std::size_t n, std::size_t dim, const std::vector<float>& centers,
                        const ConstrainedKmeansOptions& o) {
  std::vector<float> d2 = squared_distances(x.data(), n, centers.data(), o.clusters, dim);
  std::vector<float> cost(d2);
  if (!o.squared_cost)
    for (float& v : cost) v = std::sqrt(v);
  Estep e;
  e.labels = balanced_assign(cost.data(), n, o.clusters, o.size_min, o.size_max);
  e.dist.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    e.dist[i] = d2[i * o.clusters + e.labels[i]];
    e.inertia += e.dist[i];
  }
  return e;
}

Estep nearest_estep(const std::vector<float>& x, std::size_t n, std::size_t dim, const std::vector<float>& centers,
                    std::size_t k) {
  std::vector<float> d2 = squared_distances(x.data(), n, centers.data(), k, dim);
  Estep e;
  e.labels.resize(n);
  e.dist.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const float* row = d2.data() + i * k;
    std::size_t best = static_cast<std::size_t>(std::min_element(row, row + k) - row);
    e.labels[i] = static_cast<std::int32_t>(best);
    e.dist[i] = row[best];
    e.inertia += row[best];
  }
  return e;
}

KmeansResult add_mean(KmeansResult r, const std::vector<double>& mean, std::size_t dim) {
  for (std::size_t i = 0; i < r.centers.size(); ++i) r.centers[i] = static_cast<float>(r.centers[i] + mean[i % dim]);
  return r;
}

}  // namespace

std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t index) {
  std::uint64_t z = seed + 0x9e3779b97f4a7c15ULL * (index + 1);  // splitmix64
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::vector<float> squared_distances(const float* x, std::size_t n, const float* centers, std::size_t k,
                                     std::size_t dim) {
  std::vector<float> out(n * k);
  faiss::pairwise_L2sqr(static_cast<std::int64_t>(dim), static_cast<std::int64_t>(n), x, static_cast<std::int64_t>(k),
                        centers, out.data());
  for (float& v : out) v = std::max(v, 0.0f);
  return out;
}

KmeansResult constrained_kmeans(const float* raw, std::size_t n, std::size_t dim, const ConstrainedKmeansOptions& o) {
  std::vector<double> mean;
  std::vector<float> x = centred(raw, n, dim, mean);
  double tol = absolute_tol(x, n, dim, o.tol);
  KmeansResult best;
  bool have = false;
  for (std::size_t run = 0; run < o.n_init; ++run) {
    Rng rng(derive_seed(o.seed, run));
    std::vector<float> centers = kmeans_plus_plus(x, n, dim, o.clusters, rng);
    // k_means_constrained's kmeans_constrained_single: the best iteration by inertia is kept; when the last
    // shift is not 0 the labels are recomputed from the last centres (the kept centres stay).
    KmeansResult single;
    double best_inertia = std::numeric_limits<double>::infinity(), center_shift = 0;
    std::size_t it = 0;
    for (; it < o.max_iter; ++it) {
      std::vector<float> old = centers;
      Estep e = constrained_estep(x, n, dim, centers, o);
      centers = means(x, n, dim, o.clusters, e.labels, e.dist);
      if (e.inertia < best_inertia) {
        best_inertia = e.inertia;
        single.labels = e.labels;
        single.centers = centers;
        single.inertia = e.inertia;
      }
      center_shift = shift(old, centers);
      if (center_shift <= tol) break;
    }
    single.iterations = std::min(it + 1, o.max_iter);
    if (center_shift > 0) {
      Estep e = constrained_estep(x, n, dim, centers, o);
      single.labels = e.labels;
      single.inertia = e.inertia;
    }
    if (!have || single.inertia < best.inertia) {
      best = std::move(single);
      have = true;
    }
  }
  return add_mean(std::move(best), mean, dim);
}

KmeansResult lloyd_kmeans(const float* raw, std::size_t n, std::size_t dim, const LloydOptions& o) {
  std::vector<double> mean;
  std::vector<float> x = centred(raw, n, dim, mean);
  double tol = absolute_tol(x, n, dim, o.tol);
  KmeansResult best;
  bool have = false;
  for (std::size_t run = 0; run < o.n_init; ++run) {
    Rng rng(derive_seed(o.seed, run));
    std::vector<float> centers = kmeans_plus_plus(x, n, dim, o.clusters, rng);
    Estep e = nearest_estep(x, n, dim, centers, o.clusters);
    std::size_t it = 0;
    bool strict = false;
    for (; it < o.max_iter; ++it) {
      std::vector<float> next = means(x, n, dim, o.clusters, e.labels, e.dist);
      double s = shift(centers, next);
      centers = std::move(next);
      Estep after = nearest_estep(x, n, dim, centers, o.clusters);
      strict = after.labels == e.labels;
      e = std::move(after);
      if (strict || s <= tol) break;
    }
    KmeansResult single{centers, e.labels, e.inertia, std::min(it + 1, o.max_iter)};
    if (!have || single.inertia < best.inertia) {
      best = std::move(single);
      have = true;
    }
  }
  return add_mean(std::move(best), mean, dim);
}

}  // namespace sidr::sidgen
