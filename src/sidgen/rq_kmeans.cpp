#include "sidgen/rq_kmeans.h"


#include <faiss/impl/ResidualQuantizer.h>

#include "sidgen/threads.h"
#include "util/error.h"

namespace sidr::sidgen {

std::int64_t unpack_level(const std::uint8_t* code, std::size_t level, std::size_t nbits) {
  std::int64_t value = 0;
  for (std::size_t b = 0; b < nbits; ++b) {
    std::size_t bit = level * nbits + b;
    value |= static_cast<std::int64_t>((code[bit / 8] >> (bit % 8)) & 1) << b;
  }
  return value;
}

ResidualCodes rq_kmeans(const Matrix& x, const RqKmeansOptions& options) {
  std::size_t nbits = 0;
  while ((std::size_t{1} << nbits) < options.codebook) ++nbits;
  if ((std::size_t{1} << nbits) != options.codebook || nbits == 0 || nbits > 16)
    throw_input_error(Location{"", 0, 0, "--codebook"},
                      "rqkmeans needs a power of two from 2 to 65536 (faiss packs codes in bits), found " +
                          std::to_string(options.codebook));
  if (options.levels < 1 || options.levels > 26)
    throw_input_error(Location{"", 0, 0, "--levels"}, "expected 1..26 levels");
  if (x.rows < options.codebook)
    throw_input_error(Location{"", 0, 0, "--codebook"}, "k-means needs at least as many items (" +
                                                            std::to_string(x.rows) + ") as centroids");
  set_compute_threads(options.threads);
  faiss::ResidualQuantizer rq(x.cols, options.levels, nbits);
  rq.train_type = faiss::ResidualQuantizer::Train_default;
  rq.max_beam_size = 1;
  rq.cp.seed = options.seed;
  rq.verbose = false;
  rq.train(x.rows, x.values.data());

  std::vector<std::uint8_t> packed(x.rows * rq.code_size);
  rq.compute_codes(x.values.data(), packed.data(), x.rows);
  ResidualCodes out;
  out.items = x.rows;
  out.levels = options.levels;
  out.codebook = options.codebook;
  out.dim = x.cols;
  out.codes.resize(x.rows * options.levels);
  for (std::size_t i = 0; i < x.rows; ++i)
    for (std::size_t l = 0; l < options.levels; ++l)
      out.codes[i * options.levels + l] = unpack_level(packed.data() + i * rq.code_size, l, nbits);
  out.codebooks = rq.codebooks;

  measure_reconstruction(x, out);
  return out;
}

}  // namespace sidr::sidgen
