#include "sidgen/balanced_assign.h"

#include <algorithm>
#include <limits>
#include <string>

#include "util/error.h"

namespace sidr::sidgen {
namespace {

// A path cost: `tier` counts lower-bound slots (each one -1), compared before `value` (the summed costs).
struct Cost {
  long long tier = 0;
  double value = 0;
  Cost operator+(const Cost& o) const { return {tier + o.tier, value + o.value}; }
  Cost operator-(const Cost& o) const { return {tier - o.tier, value - o.value}; }
  bool operator<(const Cost& o) const { return tier != o.tier ? tier < o.tier : value < o.value; }
};
constexpr long long kInfTier = std::numeric_limits<long long>::max() / 4;
const Cost kInf{kInfTier, 0};

class Solver {
 public:
  Solver(const float* cost, std::size_t n, std::size_t k, std::size_t lo, std::size_t hi)
      : c_(cost), n_(n), k_(k), lo_(lo), hi_(hi), assign_(n, -1), members_(k), w_(k * k), w_arg_(k * k),
        dirty_(k, 1), phi_(k), label_(k), parent_(k), moved_(k), popped_(k) {}

  std::vector<std::int32_t> solve() {
    for (std::size_t p = 0; p < n_; ++p) add(p);
    return assign_;
  }

 private:
  double c(std::size_t i, std::size_t k) const { return c_[i * k_ + k]; }

  // Row u of the cluster graph: for every b, the cheapest member of u to move to b.
  void refresh(std::size_t u) {
    double* w = w_.data() + u * k_;
    std::int32_t* arg = w_arg_.data() + u * k_;
    std::fill(w, w + k_, std::numeric_limits<double>::infinity());
    std::fill(arg, arg + k_, -1);
    for (std::int32_t q : members_[u]) {
      const float* row = c_ + static_cast<std::size_t>(q) * k_;
      double here = row[u];
      for (std::size_t b = 0; b < k_; ++b) {
        double v = static_cast<double>(row[b]) - here;
        if (v < w[b] || (v == w[b] && q < arg[b])) {
          w[b] = v;
          arg[b] = q;
        }
      }
    }
    dirty_[u] = 0;
  }

  Cost slot(std::size_t z) const { return members_[z].size() < lo_ ? Cost{-1, 0} : Cost{0, 0}; }

  void add(std::size_t p) {
    for (std::size_t a = 0; a < k_; ++a) {
      label_[a] = Cost{0, c(p, a)} - phi_[a];
      parent_[a] = -1;
      popped_[a] = 0;
    }
    Cost label_t = kInf;
    std::int32_t t_parent = -1;
    settled_.clear();
    while (settled_.size() < k_) {
      std::size_t u = k_;
      for (std::size_t a = 0; a < k_; ++a)
        if (!popped_[a] && (u == k_ || label_[a] < label_[u])) u = a;
      if (!(label_[u] < label_t)) break;  // the sink is settled (ties end the search)
      popped_[u] = 1;
      settled_.push_back(u);
      const Cost base = label_[u] + phi_[u];
      if (members_[u].size() < hi_) {
        Cost cand = base + slot(u) - phi_t_;
        if (cand < label_t) {
          label_t = cand;
          t_parent = static_cast<std::int32_t>(u);
        }
      }
      if (members_[u].empty()) continue;
      if (dirty_[u]) refresh(u);
      const double* w = w_.data() + u * k_;
      for (std::size_t b = 0; b < k_; ++b) {
        if (popped_[b]) continue;
        Cost cand = base + Cost{0, w[b]} - phi_[b];
        if (cand < label_[b]) {
          label_[b] = cand;
          parent_[b] = static_cast<std::int32_t>(u);
          moved_[b] = w_arg_[u * k_ + b];
        }
      }
    }
    if (t_parent < 0) throw Error("balanced_assign: no augmenting path (size bounds infeasible)");
    for (std::size_t v : settled_) phi_[v] = phi_[v] + label_[v] - label_t;
    // Walk the path back from the sink: each cluster takes one point from its predecessor (or p itself).
    std::size_t cur = static_cast<std::size_t>(t_parent);
    while (true) {
      dirty_[cur] = 1;
      if (parent_[cur] < 0) {
        assign_[p] = static_cast<std::int32_t>(cur);
        members_[cur].push_back(static_cast<std::int32_t>(p));
        break;
      }
      std::size_t from = static_cast<std::size_t>(parent_[cur]);
      std::int32_t q = moved_[cur];
      auto& list = members_[from];
      auto it = std::find(list.begin(), list.end(), q);
      *it = list.back();
      list.pop_back();
      members_[cur].push_back(q);
      assign_[q] = static_cast<std::int32_t>(cur);
      cur = from;
    }
  }

  const float* c_;
  std::size_t n_, k_, lo_, hi_;
  std::vector<std::int32_t> assign_;
  std::vector<std::vector<std::int32_t>> members_;
  std::vector<double> w_;             // k x k: cheapest move cost from cluster u to b (inf: u is empty)
  std::vector<std::int32_t> w_arg_;   // k x k: the member that move takes
  std::vector<char> dirty_;           // row u of w_ is stale
  std::vector<Cost> phi_;             // cluster potentials (reduced costs stay >= 0)
  Cost phi_t_{-1, 0};                 // the sink's: the initial lower-bound slots (tier -1) reduce to 0
  std::vector<Cost> label_;
  std::vector<std::int32_t> parent_;  // predecessor cluster on the shortest path (-1: the new point)
  std::vector<std::int32_t> moved_;   // the point that edge moves
  std::vector<char> popped_;
  std::vector<std::size_t> settled_;
};

}  // namespace

std::vector<std::int32_t> balanced_assign(const float* cost, std::size_t n, std::size_t k, std::size_t size_min,
                                          std::size_t size_max) {
  if (k == 0 || size_min > size_max || k * size_min > n || k * size_max < n)
    throw_input_error(Location{"", 0, 0, "cluster sizes"},
                      "cannot put " + std::to_string(n) + " points into " + std::to_string(k) +
                          " clusters of " + std::to_string(size_min) + " to " + std::to_string(size_max) + " each");
  return Solver(cost, n, k, size_min, size_max).solve();
}

}  // namespace sidr::sidgen
