#include "sidgen/sinkhorn.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>

#include "util/error.h"

namespace sidr::sidgen {

void SinkhornOptions::validate() const {
  if (!(epsilon > 0)) throw_input_error(Location{"", 0, 0, "--sk-epsilon"}, "expected an epsilon > 0");
  if (iters < 1) throw_input_error(Location{"", 0, 0, "--sk-iters"}, "expected at least 1 Sinkhorn iteration");
  if (rounds < 1) throw_input_error(Location{"", 0, 0, "--sk-rounds"}, "expected at least 1 re-assignment round");
}

std::vector<std::int64_t> sinkhorn_codes(const float* x, std::size_t b, const float* codebook, std::size_t k,
                                         std::size_t dim, const SinkhornOptions& o) {
  // vq.py's distances: ||r||^2 + ||e||^2 - 2 r.e (here summed as (r - e)^2 in float64)
  std::vector<double> q(b * k);
  for (std::size_t i = 0; i < b; ++i)
    for (std::size_t c = 0; c < k; ++c) {
      double s = 0;
      for (std::size_t j = 0; j < dim; ++j) {
        double diff = double(x[i * dim + j]) - codebook[c * dim + j];
        s += diff * diff;
      }
      q[i * k + c] = s;
    }
  auto [lo, hi] = std::minmax_element(q.begin(), q.end());
  double middle = (*hi + *lo) / 2, amplitude = *hi - middle + 1e-5;
  double total = 0;
  for (double& v : q) total += v = std::exp(-((v - middle) / amplitude) / o.epsilon);
  for (double& v : q) v /= total;
  std::vector<double> col(k);
  for (std::size_t it = 0; it < o.iters; ++it) {
    for (std::size_t i = 0; i < b; ++i) {
      double s = 0;
      for (std::size_t c = 0; c < k; ++c) s += q[i * k + c];
      for (std::size_t c = 0; c < k; ++c) q[i * k + c] = q[i * k + c] / s / static_cast<double>(b);
    }
    std::fill(col.begin(), col.end(), 0.0);
    for (std::size_t i = 0; i < b; ++i)
      for (std::size_t c = 0; c < k; ++c) col[c] += q[i * k + c];
    for (std::size_t i = 0; i < b; ++i)
      for (std::size_t c = 0; c < k; ++c) q[i * k + c] = q[i * k + c] / col[c] / static_cast<double>(k);
  }
  std::vector<std::int64_t> codes(b);
  for (std::size_t i = 0; i < b; ++i) {
    const double* row = q.data() + i * k;  // (times B: the argmax does not change)
    codes[i] = std::max_element(row, row + k) - row;
  }
  return codes;
}

SinkhornDedupStats sinkhorn_dedup(std::vector<std::int64_t>& codes, std::size_t items, std::size_t levels,
                                  const float* last_inputs, const float* last_codebook, std::size_t k, std::size_t dim,
                                  const SinkhornOptions& o) {
  o.validate();
  SinkhornDedupStats stats;
  std::vector<std::int64_t> start(codes);
  std::vector<float> group_inputs;
  while (stats.rounds < o.rounds) {
    std::map<std::vector<std::int64_t>, std::vector<std::size_t>> groups;
    for (std::size_t i = 0; i < items; ++i)
      groups[std::vector<std::int64_t>(codes.begin() + i * levels, codes.begin() + (i + 1) * levels)].push_back(i);
    if (groups.size() == items) break;
    for (const auto& [code, members] : groups) {
      if (members.size() < 2) continue;
      group_inputs.resize(members.size() * dim);
      for (std::size_t m = 0; m < members.size(); ++m)
        std::copy(last_inputs + members[m] * dim, last_inputs + (members[m] + 1) * dim, group_inputs.begin() + m * dim);
      std::vector<std::int64_t> last = sinkhorn_codes(group_inputs.data(), members.size(), last_codebook, k, dim, o);
      for (std::size_t m = 0; m < members.size(); ++m) codes[members[m] * levels + levels - 1] = last[m];
    }
    ++stats.rounds;
  }
  for (std::size_t i = 0; i < items; ++i) stats.changed_items += codes[i * levels + levels - 1] != start[i * levels + levels - 1];
  return stats;
}

}  // namespace sidr::sidgen
