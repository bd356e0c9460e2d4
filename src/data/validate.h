// Whole-dataset validation (every file and every cross-reference) and the statistics `data check` prints.
#pragma once
#include <array>
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "data/catalog.h"
#include "data/dataset.h"
#include "data/interactions.h"

namespace sidr::data {

struct SplitStats {
  Split split = Split::Train;
  std::size_t rows = 0;
  std::size_t users = 0;
  std::map<std::size_t, std::size_t> history_lengths;  // history length -> rows
  double mean_history_length() const;
};

struct DatasetStats {
  std::size_t items = 0;
  std::size_t distinct_sids = 0;
  std::size_t collided_groups = 0;  // SIDs carried by more than one item
  std::size_t collided_items = 0;   // items in those groups
  std::size_t largest_group = 0;
  std::vector<std::size_t> tokens_per_level;  // one count per level of the index
  int codebook_size = 0;                      // largest code in the index + 1
  std::vector<SplitStats> splits;   // train, valid, test
};

struct CheckReport {
  std::string dataset;
  std::filesystem::path root;
  DatasetStats stats;
  std::vector<std::string> warnings;  // legitimate oddities, with counts
  double seconds = 0;                 // wall time to load and validate
  double cpu_seconds = 0;             // CPU time of the process meanwhile (all threads)
};

// Every row of `split` must name known items whose SIDs and titles agree with the catalog; the first
// disagreement is an InputError "file:line: field 'x': ...".
void validate_interactions(const Interactions& split, const Catalog& catalog);

DatasetStats compute_stats(const Catalog& catalog, const std::vector<std::pair<Split, const Interactions*>>& splits);

// Loads and validates index.json, item.json, info and the three split CSVs; InputError on the first problem.
CheckReport check_dataset(const DatasetPaths& paths);

// The human-readable report `sidreasoner data check` prints (numbers with thousands separators).
std::string format_report(const CheckReport& report);
std::string with_thousands(std::size_t value);

}  // namespace sidr::data
