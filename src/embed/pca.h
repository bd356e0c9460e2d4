// PCA of a sparse matrix to `dim` components: the rows centred, the top principal components found by an exact
// symmetric eigendecomposition (LAPACK's syevd through libtorch's linalg_eigh, float64) of the smaller of the
// n x n Gram matrix (H X X^T H) and the V x V covariance (X^T X - n m m^T). Row i of the result is the centred
// row's projection on the components (sklearn's PCA(dim).fit_transform, which equals U_k * S_k), each component's
// sign fixed so its largest-magnitude score is positive.
#pragma once
#include <cstddef>
#include <vector>

#include "embed/tfidf.h"

namespace sidr::embed {

struct PcaResult {
  std::size_t rows = 0, dim = 0;
  std::vector<float> scores;               // rows x dim, row-major
  std::vector<double> explained_variance;  // per component: eigenvalue / (n - 1)
  double total_variance = 0;               // trace of the covariance / (n - 1)
  std::size_t rank = 0;                    // numerical rank of the centred matrix
};

// The largest side the exact eigendecomposition takes (a 20000 x 20000 float64 matrix is 3.2 GB).
constexpr std::size_t kMaxPcaSide = 20000;

// InputError when dim is 0 or larger than the centred matrix's numerical rank, or when min(n, V) exceeds
// kMaxPcaSide (use --max-features).
PcaResult pca(const SparseMatrix& x, std::size_t dim);

}  // namespace sidr::embed
