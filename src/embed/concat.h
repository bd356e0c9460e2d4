// Item embeddings side by side: row i of the result is row i of every input, in the order given; with
// l2 normalisation each input's rows are scaled to unit length first (zero rows stay zero), so every source
// weighs the same whatever its scale.
#pragma once
#include <filesystem>
#include <vector>

#include "embed/sasrec_table.h"

namespace sidr::embed {

enum class Normalize { kNone, kL2 };

// InputError naming the file when an input has another row count than the first, or holds NaN/inf.
DenseMatrix concat_npy(const std::vector<std::filesystem::path>& inputs, Normalize normalize);

}  // namespace sidr::embed
