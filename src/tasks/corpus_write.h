// Writers of the enriched corpus files that tasks/corpus.h reads (sidreasoner.md §2.5): the narrative CSV (the
// train CSV's columns, then reasoning_path and integrated_narrative, as pandas' to_csv(index=False) writes
// them) and item_enhanced_v2.json. Both are written atomically (util/file_io.h).
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "data/interactions.h"
#include "util/json.h"

namespace sidr::tasks {

// The narrative CSV's header, in order.
const std::vector<std::string>& narrative_columns();

struct NarrativeOutRow {
  data::Interaction row;  // the train row it was written for
  std::string reasoning_path;
  std::string integrated_narrative;
};

// The CSV text: header, then one record per row; list columns are Python repr()s, as in the train CSV.
std::string narrative_csv_text(const std::vector<NarrativeOutRow>& rows);
void write_narrative_csv(const std::filesystem::path& path, const std::vector<NarrativeOutRow>& rows);

// item_enhanced_v2.json: an object of item id -> {title, description, brand, categories, index, llm_stage2, ...}
// in the given order, written with two-space indentation.
void write_item_enhanced_json(const std::filesystem::path& path, const OrderedJson& items);

}  // namespace sidr::tasks
