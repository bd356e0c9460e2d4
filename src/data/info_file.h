// The reference's catalog file info/<Cat>_5_2016-10-2018-11.txt: one line per item, "SID\ttitle\titem_id".
#pragma once
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace sidr::data {

struct InfoLine {
  std::string sid;      // field 0, stripped of surrounding whitespace as the reference does
  std::string title;    // field 1
  std::string item_id;  // field 2
  std::size_t line = 0; // 1-based
};

// InputError naming file, line and field on a malformed line (not 3 tab-separated fields, bad SID, bad id,
// invalid UTF-8) or a missing file.
std::vector<InfoLine> load_info(const std::filesystem::path& path);

}  // namespace sidr::data
