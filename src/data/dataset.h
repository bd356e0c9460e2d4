// Where the files of one dataset live in the reference layout (data/Amazon/...).
#pragma once
#include <filesystem>
#include <string>

namespace sidr::data {

enum class Split { Train, Valid, Test };
Split parse_split(const std::string& name);  // "train" | "valid" | "test"; InputError otherwise
const char* split_name(Split split);

struct DatasetPaths {
  std::filesystem::path root;  // e.g. data/Amazon
  std::string name;            // e.g. Industrial_and_Scientific

  std::filesystem::path interactions(Split split) const;  // <root>/<split>/<name>_5_2016-10-2018-11.csv
  std::filesystem::path index_json() const;               // <root>/index/<name>.index.json
  std::filesystem::path item_json() const;                // <root>/index/<name>.item.json
  std::filesystem::path info() const;                     // <root>/info/<name>_5_2016-10-2018-11.txt
  std::filesystem::path item_enriched_json() const;       // <root>/index/<name>.item_enhanced_v2.json (optional)
  std::filesystem::path narrative_csv() const;            // <root>/index/<name>.integrated_narrative.csv (optional)
};

// The reference's category phrase ("industrial and scientific items"; "items" for unknown names).
std::string category_phrase(const std::string& dataset_name);

}  // namespace sidr::data
