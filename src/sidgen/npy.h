// Strict .npy reading and writing for item embeddings (MiniOneRec's emb-*.npy: N x d, row i = item id i).
// Accepted: format versions 1.0-3.0, dtype little-endian float32 ('<f4') or float16 ('<f2'), C order, a 2-D
// shape, and a file whose size is exactly header + N*d*itemsize. Anything else is an InputError naming the file
// and what is wrong (dtype, order, shape, size). Values come back as float32; NaN and +-inf are replaced by 0, as
// the reference's rq/datasets.py does, and counted.
#pragma once
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace sidr::sidgen {

struct Matrix {
  std::size_t rows = 0, cols = 0;
  std::vector<float> values;  // row-major
  std::size_t non_finite = 0; // NaN/inf values replaced by 0 when read
  const float* row(std::size_t i) const { return values.data() + i * cols; }
};

Matrix read_npy(const std::filesystem::path& path);

// Writes a C-order float32 array of the given shape (any rank), atomically.
void write_npy_f32(const std::filesystem::path& path, const std::vector<std::size_t>& shape, const float* data);
// Writes a C-order int64 array, atomically.
void write_npy_i64(const std::filesystem::path& path, const std::vector<std::size_t>& shape, const long long* data);

}  // namespace sidr::sidgen
