#include "sidgen/npy.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <regex>

#include "util/error.h"
#include "util/file_io.h"

namespace sidr::sidgen {
namespace {

float half_to_float(std::uint16_t h) {
  std::uint32_t sign = (h >> 15) & 1, exponent = (h >> 10) & 0x1F, mantissa = h & 0x3FF;
  float value;
  if (exponent == 0)
    value = std::ldexp(static_cast<float>(mantissa), -24);
  else if (exponent == 31)
    value = mantissa ? NAN : INFINITY;
  else
    value = std::ldexp(static_cast<float>(mantissa | 0x400), static_cast<int>(exponent) - 25);
  return sign ? -value : value;
}

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& message) {
  throw_input_error(Location{path.string(), 0, 0, ""}, message);
}

std::string header_for(const std::string& descr, const std::vector<std::size_t>& shape) {
  // "(3,)" for one dimension, "(3, 4)" for more (the separators numpy uses).
  std::string text;
  for (std::size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  if (shape.size() == 1) text += ",";
  std::string header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + text + "), }";
  std::size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out += static_cast<char>(header.size() & 0xFF);
  out += static_cast<char>(header.size() >> 8);
  return out + header;
}

}  // namespace

Matrix read_npy(const std::filesystem::path& path) {
  std::string bytes = read_file(path);
  if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0) fail(path, "not a .npy file (no \\x93NUMPY magic)");
  int major = static_cast<unsigned char>(bytes[6]);
  std::size_t header_length, offset;
  if (major == 1) {
    header_length = static_cast<unsigned char>(bytes[8]) | (static_cast<unsigned char>(bytes[9]) << 8);
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) fail(path, "truncated header");
    header_length = 0;
    for (int i = 3; i >= 0; --i) header_length = (header_length << 8) | static_cast<unsigned char>(bytes[8 + i]);
    offset = 12;
  } else {
    fail(path, "unsupported .npy format version " + std::to_string(major));
  }
  if (offset + header_length > bytes.size()) fail(path, "truncated header");
  std::string header = bytes.substr(offset, header_length);
  std::smatch match;
  static const std::regex descr_re(R"('descr'\s*:\s*'([^']*)')"), order_re(R"('fortran_order'\s*:\s*(True|False))"),
      shape_re(R"('shape'\s*:\s*\(([^)]*)\))");
  if (!std::regex_search(header, match, descr_re)) fail(path, "header has no 'descr'");
  std::string descr = match[1];
  std::size_t itemsize;
  if (descr == "<f4")
    itemsize = 4;
  else if (descr == "<f2")
    itemsize = 2;
  else
    fail(path, "dtype '" + descr + "' is not supported (expected float32 '<f4' or float16 '<f2')");
  if (!std::regex_search(header, match, order_re)) fail(path, "header has no 'fortran_order'");
  if (match[1] == "True") fail(path, "Fortran-order array (expected C order; save np.ascontiguousarray(x))");
  if (!std::regex_search(header, match, shape_re)) fail(path, "header has no 'shape'");
  std::vector<std::size_t> shape;
  std::string dims = match[1];
  static const std::regex dim_re(R"(\s*(\d+)\s*(,|$))");
  for (auto it = std::sregex_iterator(dims.begin(), dims.end(), dim_re); it != std::sregex_iterator(); ++it)
    shape.push_back(std::stoull((*it)[1]));
  if (shape.size() != 2) fail(path, "shape (" + dims + ") is not 2-D (expected items x dimensions)");
  if (shape[0] == 0 || shape[1] == 0) fail(path, "empty array, shape (" + dims + ")");
  Matrix m;
  m.rows = shape[0];
  m.cols = shape[1];
  std::size_t data_offset = offset + header_length, expected = m.rows * m.cols * itemsize;
  if (bytes.size() - data_offset != expected)
    fail(path, "data is " + std::to_string(bytes.size() - data_offset) + " bytes, shape (" + dims + ") needs " +
                   std::to_string(expected));
  m.values.resize(m.rows * m.cols);
  const char* data = bytes.data() + data_offset;
  if (itemsize == 4) {
    std::memcpy(m.values.data(), data, expected);
  } else {
    for (std::size_t i = 0; i < m.values.size(); ++i) {
      std::uint16_t h;
      std::memcpy(&h, data + 2 * i, 2);
      m.values[i] = half_to_float(h);
    }
  }
  for (float& v : m.values)
    if (!std::isfinite(v)) {
      v = 0.0f;
      ++m.non_finite;
    }
  return m;
}

void write_npy_f32(const std::filesystem::path& path, const std::vector<std::size_t>& shape, const float* data) {
  std::size_t count = 1;
  for (std::size_t d : shape) count *= d;
  std::string out = header_for("<f4", shape);
  out.append(reinterpret_cast<const char*>(data), count * sizeof(float));
  write_file_atomic(path, out);
}

void write_npy_i64(const std::filesystem::path& path, const std::vector<std::size_t>& shape, const long long* data) {
  std::size_t count = 1;
  for (std::size_t d : shape) count *= d;
  std::string out = header_for("<i8", shape);
  out.append(reinterpret_cast<const char*>(data), count * sizeof(long long));
  write_file_atomic(path, out);
}

}  // namespace sidr::sidgen
