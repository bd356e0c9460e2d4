// The result of a residual quantiser on the raw embeddings (faiss RQ-KMeans, balanced RQ-KMeans): codes per item
// and level, the centroids of each level in embedding space, and how well their sums reconstruct the items.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "sidgen/npy.h"

namespace sidr::sidgen {

struct ResidualCodes {
  std::size_t items = 0, levels = 0, codebook = 0, dim = 0;
  std::vector<std::int64_t> codes;    // items x levels, 0-based
  std::vector<float> codebooks;       // levels x codebook x dim (centroids in embedding space)
  double reconstruction_mse = 0;      // mean over items of ||x - sum of its centroids||^2
  double variance = 0;                // mean ||x - mean(x)||^2, to read the error against
};

// Fills reconstruction_mse and variance from x, codes and codebooks.
void measure_reconstruction(const Matrix& x, ResidualCodes& codes);

// items x dim: the input of the last level, x minus the centroids of every level before it.
std::vector<float> last_level_input(const Matrix& x, const ResidualCodes& codes);

}  // namespace sidr::sidgen
