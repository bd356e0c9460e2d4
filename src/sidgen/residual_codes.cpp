#include "sidgen/residual_codes.h"

namespace sidr::sidgen {

void measure_reconstruction(const Matrix& x, ResidualCodes& c) {
  std::vector<double> mean(x.cols, 0.0);
  for (std::size_t i = 0; i < x.rows; ++i)
    for (std::size_t j = 0; j < x.cols; ++j) mean[j] += x.values[i * x.cols + j];
  for (double& m : mean) m /= static_cast<double>(x.rows);
  double error = 0, variance = 0;
  std::vector<double> recon(x.cols);
  for (std::size_t i = 0; i < x.rows; ++i) {
    std::fill(recon.begin(), recon.end(), 0.0);
    for (std::size_t l = 0; l < c.levels; ++l) {
      const float* centroid = c.codebooks.data() + (l * c.codebook + c.codes[i * c.levels + l]) * c.dim;
      for (std::size_t j = 0; j < x.cols; ++j) recon[j] += centroid[j];
    }
    for (std::size_t j = 0; j < x.cols; ++j) {
      double v = x.values[i * x.cols + j];
      error += (v - recon[j]) * (v - recon[j]);
      variance += (v - mean[j]) * (v - mean[j]);
    }
  }
  c.reconstruction_mse = error / static_cast<double>(x.rows);
  c.variance = variance / static_cast<double>(x.rows);
}

std::vector<float> last_level_input(const Matrix& x, const ResidualCodes& c) {
  std::vector<float> r(x.values);
  for (std::size_t i = 0; i < x.rows; ++i)
    for (std::size_t l = 0; l + 1 < c.levels; ++l) {
      const float* centroid = c.codebooks.data() + (l * c.codebook + c.codes[i * c.levels + l]) * c.dim;
      for (std::size_t j = 0; j < c.dim; ++j) r[i * c.dim + j] -= centroid[j];
    }
  return r;
}

}  // namespace sidr::sidgen
