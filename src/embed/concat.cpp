#include "embed/concat.h"

#include <cmath>
#include <string>

#include "sidgen/npy.h"
#include "util/error.h"

namespace sidr::embed {

DenseMatrix concat_npy(const std::vector<std::filesystem::path>& inputs, Normalize normalize) {
  if (inputs.empty()) throw InputError("embed concat: no input .npy given");
  std::vector<sidgen::Matrix> parts;
  DenseMatrix out;
  for (const auto& path : inputs) {
    sidgen::Matrix m = sidgen::read_npy(path);
    if (m.non_finite)
      throw InputError(path.string() + ": " + std::to_string(m.non_finite) + " NaN or infinite values");
    if (!parts.empty() && m.rows != parts.front().rows)
      throw InputError(path.string() + ": " + std::to_string(m.rows) + " rows, but " + inputs.front().string() +
                       " has " + std::to_string(parts.front().rows) + " (rows are items in id order)");
    out.cols += m.cols;
    parts.push_back(std::move(m));
  }
  out.rows = parts.front().rows;
  out.values.resize(out.rows * out.cols);
  std::size_t offset = 0;
  for (const auto& m : parts) {
    for (std::size_t r = 0; r < m.rows; ++r) {
      const float* in = m.row(r);
      double scale = 1.0;
      if (normalize == Normalize::kL2) {
        double norm = 0;
        for (std::size_t c = 0; c < m.cols; ++c) norm += double(in[c]) * double(in[c]);
        scale = norm > 0 ? 1.0 / std::sqrt(norm) : 1.0;
      }
      float* dst = out.values.data() + r * out.cols + offset;
      for (std::size_t c = 0; c < m.cols; ++c) dst[c] = static_cast<float>(double(in[c]) * scale);
    }
    offset += m.cols;
  }
  return out;
}

}  // namespace sidr::embed
