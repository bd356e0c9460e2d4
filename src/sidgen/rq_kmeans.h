// RQ-KMeans with faiss (reference §5.3, rq/rqkmeans_faiss.py): faiss::ResidualQuantizer(d, M = levels,
// nbits = log2(codebook)), Train_default, greedy encoding (max_beam_size 1), faiss's k-means defaults (seed
// settable). No encoder: the residuals are those of the raw embeddings.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "sidgen/npy.h"
#include "sidgen/residual_codes.h"

namespace sidr::sidgen {

struct RqKmeansOptions {
  std::size_t levels = 3;
  std::size_t codebook = 256;  // a power of two (faiss stores codes in log2(codebook) bits)
  int seed = 1234;             // faiss's ClusteringParameters default
  int threads = 0;             // 0: OpenMP's default
};

ResidualCodes rq_kmeans(const Matrix& embeddings, const RqKmeansOptions& options);

// Level i of a faiss bit-packed code: bits [i*nbits, (i+1)*nbits) read least-significant first.
std::int64_t unpack_level(const std::uint8_t* code, std::size_t level, std::size_t nbits);

}  // namespace sidr::sidgen
