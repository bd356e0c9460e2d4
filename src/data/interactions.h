// Typed rows of an interaction split CSV
// (user_id,history_item_title,item_title,history_item_id,item_id,history_item_sid,item_sid).
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace sidr::data {

struct Interaction {
  std::string user_id;
  std::vector<std::string> history_titles;  // chronological, oldest first
  std::string item_title;
  std::vector<std::int64_t> history_ids;
  std::int64_t item_id = 0;
  std::vector<std::string> history_sids;
  std::string item_sid;
  std::size_t line = 0;  // 1-based line in the CSV where the row starts (for error messages)
};

struct Interactions {
  std::filesystem::path file;
  std::vector<Interaction> rows;

  // InputError naming file, line and column name on a malformed row.
  static Interactions load(const std::filesystem::path& csv_path);
};

}  // namespace sidr::data
