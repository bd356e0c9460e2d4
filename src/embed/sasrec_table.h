// A trained SASRec's item embedding table (`sidreasoner baseline sasrec` run directory: config.json + model.pt)
// as item embeddings: item_embeddings.weight has num_items + 1 rows, the last being the padding id N, which is
// dropped, so row i is item id i.
#pragma once
#include <cstddef>
#include <filesystem>
#include <vector>

namespace sidr::embed {

struct DenseMatrix {
  std::size_t rows = 0, cols = 0;
  std::vector<float> values;  // row-major
};

// InputError naming the file when the run is missing or broken, or the table holds non-finite values.
DenseMatrix sasrec_item_embeddings(const std::filesystem::path& run_dir);

}  // namespace sidr::embed
