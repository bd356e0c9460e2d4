// Item-id sequences for the sequential baselines: every CSV row is one example (history -> next item), as in
// MiniOneRec's sasrec.py. Item ids are the catalog's contiguous ids 0..N-1; N itself is the padding id.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "data/dataset.h"

namespace sidr::data {
class Catalog;
struct Interactions;
}  // namespace sidr::data

namespace sidr::baseline {

struct SequenceExample {
  std::vector<std::int64_t> history;  // item ids, oldest first; the most recent max_len are kept
  std::int64_t target = 0;            // the next item id
  std::size_t line = 0;               // CSV line, for messages
};

struct SequenceSplit {
  std::filesystem::path file;
  std::vector<SequenceExample> rows;
};

struct SequenceData {
  std::int64_t num_items = 0;          // N; the padding id is N
  std::vector<std::string> sids;       // distinct SID strings, first-appearance order of index.json
  std::vector<std::int32_t> item_sid;  // item id -> index into sids
  SequenceSplit train, valid, test;

  // Reads the catalog and the three split CSVs. InputError (file, line, field) when the catalog ids are not
  // 0..N-1, a history is empty, or an id is outside the catalog.
  static SequenceData load(const data::DatasetPaths& paths, int max_len);
  // Same from already loaded parts (used by tests and the pipeline).
  static SequenceData from(const data::Catalog& catalog, const data::Interactions& train,
                           const data::Interactions& valid, const data::Interactions& test, int max_len);
  static SequenceSplit to_split(const data::Interactions& rows, std::int64_t num_items, int max_len);
};

}  // namespace sidr::baseline
