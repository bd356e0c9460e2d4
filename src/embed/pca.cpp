#include "embed/pca.h"

#include <algorithm>
#include <cmath>
#include <string>

#include <torch/torch.h>

#include "util/error.h"

namespace sidr::embed {
namespace {

// Column means of x.
std::vector<double> column_means(const SparseMatrix& x) {
  std::vector<double> mean(x.cols, 0.0);
  for (std::size_t k = 0; k < x.col.size(); ++k) mean[x.col[k]] += x.value[k];
  for (double& m : mean) m /= double(x.rows);
  return mean;
}

// H X X^T H (n x n): the Gram matrix of the centred rows.
torch::Tensor centred_gram(const SparseMatrix& x) {
  const auto n = static_cast<std::int64_t>(x.rows);
  // Postings per column, then every pair of rows sharing a column adds its product (upper triangle).
  std::vector<std::vector<std::pair<std::size_t, double>>> postings(x.cols);
  for (std::size_t r = 0; r < x.rows; ++r)
    for (std::size_t k = x.row_start[r]; k < x.row_start[r + 1]; ++k) postings[x.col[k]].emplace_back(r, x.value[k]);
  auto gram = torch::zeros({n, n}, torch::kFloat64);
  double* g = gram.data_ptr<double>();
  for (const auto& list : postings)
    for (std::size_t a = 0; a < list.size(); ++a) {
      double* row = g + list[a].first * x.rows;
      const double va = list[a].second;
      for (std::size_t b = a; b < list.size(); ++b) row[list[b].first] += va * list[b].second;
    }
  gram = torch::triu(gram) + torch::triu(gram, 1).transpose(0, 1);
  auto row_mean = gram.mean(1, /*keepdim=*/true);
  return gram - row_mean - row_mean.transpose(0, 1) + gram.mean();
}

// X^T X - n m m^T (V x V): the scatter matrix of the centred rows.
torch::Tensor centred_scatter(const SparseMatrix& x, const std::vector<double>& mean) {
  const auto v = static_cast<std::int64_t>(x.cols);
  auto scatter = torch::zeros({v, v}, torch::kFloat64);
  double* s = scatter.data_ptr<double>();
  for (std::size_t r = 0; r < x.rows; ++r)
    for (std::size_t a = x.row_start[r]; a < x.row_start[r + 1]; ++a) {
      double* row = s + x.col[a] * x.cols;
      for (std::size_t b = x.row_start[r]; b < x.row_start[r + 1]; ++b) row[x.col[b]] += x.value[a] * x.value[b];
    }
  auto m = torch::from_blob(const_cast<double*>(mean.data()), {v, 1}, torch::kFloat64);
  return scatter - double(x.rows) * m.matmul(m.transpose(0, 1));
}

}  // namespace

PcaResult pca(const SparseMatrix& x, std::size_t dim) {
  const std::size_t side = std::min(x.rows, x.cols);
  if (dim == 0) throw InputError("--dim: must be at least 1");
  if (side > kMaxPcaSide)
    throw InputError("--max-features: " + std::to_string(x.rows) + " items x " + std::to_string(x.cols) +
                     " terms; the exact PCA takes at most " + std::to_string(kMaxPcaSide) +
                     " on the smaller side (limit the vocabulary)");
  const bool by_rows = x.rows <= x.cols;
  const std::vector<double> mean = column_means(x);
  torch::Tensor matrix = by_rows ? centred_gram(x) : centred_scatter(x, mean);
  auto [eigenvalues, eigenvectors] = torch::linalg_eigh(matrix, "L");  // ascending
  const auto count = eigenvalues.size(0);
  const double* lambda = eigenvalues.data_ptr<double>();
  const double largest = count ? std::max(lambda[count - 1], 0.0) : 0.0;
  const double tolerance = largest * 1e-10 * double(std::max(x.rows, x.cols));
  PcaResult out;
  out.rows = x.rows;
  out.dim = dim;
  for (std::int64_t i = 0; i < count; ++i) {
    if (lambda[i] > tolerance && largest > 0) ++out.rank;
    out.total_variance += std::max(lambda[i], 0.0);
  }
  const double denominator = x.rows > 1 ? double(x.rows - 1) : 1.0;
  out.total_variance /= denominator;
  if (dim > out.rank)
    throw InputError("--dim " + std::to_string(dim) + ": larger than the rank " + std::to_string(out.rank) +
                     " of the centred TF-IDF matrix (" + std::to_string(x.rows) + " items x " +
                     std::to_string(x.cols) + " terms)");
  // The top `dim` components, largest first.
  auto top = eigenvectors.narrow(1, count - static_cast<std::int64_t>(dim), static_cast<std::int64_t>(dim)).flip({1});
  auto values = eigenvalues.narrow(0, count - static_cast<std::int64_t>(dim), static_cast<std::int64_t>(dim)).flip({0});
  torch::Tensor scores;
  if (by_rows) {
    scores = top * values.clamp_min(0).sqrt().unsqueeze(0);  // U_k S_k
  } else {
    // X V_k - 1 (m^T V_k), from the sparse rows.
    const auto n = static_cast<std::int64_t>(x.rows);
    scores = torch::zeros({n, static_cast<std::int64_t>(dim)}, torch::kFloat64);
    auto t = top.contiguous();
    const double* v = t.data_ptr<double>();
    double* s = scores.data_ptr<double>();
    for (std::size_t r = 0; r < x.rows; ++r)
      for (std::size_t k = x.row_start[r]; k < x.row_start[r + 1]; ++k) {
        const double* vr = v + x.col[k] * dim;
        for (std::size_t c = 0; c < dim; ++c) s[r * dim + c] += x.value[k] * vr[c];
      }
    auto m = torch::from_blob(const_cast<double*>(mean.data()), {1, static_cast<std::int64_t>(x.cols)}, torch::kFloat64);
    scores = scores - m.matmul(t);
  }
  // Sign: the largest-magnitude score of each component positive.
  auto pick = scores.abs().argmax(0);
  auto signs = torch::sign(scores.gather(0, pick.unsqueeze(0)));
  signs = torch::where(signs == 0, torch::ones_like(signs), signs);
  scores = (scores * signs).to(torch::kFloat32).contiguous();
  out.scores.assign(scores.data_ptr<float>(), scores.data_ptr<float>() + scores.numel());
  for (std::int64_t c = 0; c < values.size(0); ++c) out.explained_variance.push_back(values[c].item<double>() / denominator);
  return out;
}

}  // namespace sidr::embed
