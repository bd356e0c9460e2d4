// convert_dataset.py (reference §2.3): MiniOneRec's intermediate files (NAME.{train,valid,test}.inter,
// NAME.item.json) plus an index.json -> the reference layout the rest of the project reads (docs/data.md):
//   ROOT/{train,valid,test}/NAME_5_2016-10-2018-11.csv   user_id "A{uid}", history titles/ids/SIDs as Python list
//                                                         literals, the target's title/id/SID (csv QUOTE_MINIMAL, LF)
//   ROOT/info/NAME_5_2016-10-2018-11.txt                 "{sid}\t{title}\t{item_id}" per item, item.json order
//   ROOT/index/NAME.index.json, NAME.item.json           copied
// The "_5_2016-10-2018-11" suffix is the script's hard-coded one, whatever window was used (§13).
#pragma once
#include <filesystem>
#include <string>

namespace sidr::prepare {

struct ConvertReport {
  std::size_t items = 0, rows[3] = {0, 0, 0};
};

ConvertReport convert_to_reference_layout(const std::filesystem::path& prepared_dir, const std::string& dataset,
                                          const std::filesystem::path& index_json, const std::filesystem::path& root);

}  // namespace sidr::prepare
