// From residual codes to index.json (reference §5.1): tokens <a_N>, <b_N>, ... (letter chr(97 + level)), with
// an optional offset (RQ-VAE and faiss-RQ write 0-based values, constrained RQ-KMeans 1-based), and the
// collision rule of §5.4 ("extra layer"): every item whose full code is shared gets one more token, its 1-based
// rank by item id within the group; items with a unique code keep `levels` tokens. The project's catalog needs
// one SID length (data/sid_string.h), so `pad_unique` gives unique items the extra token <x_0> instead of none.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace sidr::sidgen {

enum class Dedup { kNone, kExtraLevel };

struct SidIndexOptions {
  int offset = 0;
  Dedup dedup = Dedup::kNone;
  bool pad_unique = false;
};

struct SidIndexStats {
  std::size_t items = 0, distinct_before = 0, distinct_after = 0, collided_groups = 0, largest_group = 0;
  std::vector<std::size_t> used_per_level;  // distinct values per level (the extra level included)
  double collision_rate_before() const { return items ? double(items - distinct_before) / items : 0; }
  double collision_rate_after() const { return items ? double(items - distinct_after) / items : 0; }
};

struct SidIndex {
  std::vector<std::vector<std::string>> tokens;  // item id -> its SID tokens
  SidIndexStats stats;
};

SidIndex make_sid_index(const std::vector<std::int64_t>& codes, std::size_t items, std::size_t levels,
                        const SidIndexOptions& options);

// {"0": ["<a_1>", ...], ...} with Python's default separators (", " and ": "), no indentation, as the shipped
// index.json files are written.
void write_index_json(const std::filesystem::path& path, const SidIndex& index);

}  // namespace sidr::sidgen
