#include "data/info_file.h"

#include "data/sid_string.h"
#include "util/error.h"
#include "util/file_io.h"
#include "util/json.h"
#include "util/strings.h"
#include "util/utf8.h"

namespace sidr::data {

std::vector<InfoLine> load_info(const std::filesystem::path& path) {
  const std::string source = path.string();
  const std::string text = read_file(path);
  if (std::size_t bad = first_invalid_utf8(text); bad != std::string::npos) {
    Location where{source, 0, 0, ""};
    line_and_column(text, bad, where.line, where.column);
    throw_input_error(where, "invalid UTF-8");
  }
  if (text.empty()) throw_input_error({source, 1, 0, ""}, "empty file, expected lines 'SID<TAB>title<TAB>item_id'");
  std::vector<InfoLine> out;
  std::size_t start = 0, line = 1;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string_view row(text.data() + start, end - start);
    if (!row.empty() && row.back() == '\r') row.remove_suffix(1);
    std::size_t tab1 = row.find('\t');
    std::size_t tab2 = tab1 == std::string_view::npos ? tab1 : row.find('\t', tab1 + 1);
    if (tab2 == std::string_view::npos || row.find('\t', tab2 + 1) != std::string_view::npos) {
      std::size_t fields = 1;
      for (char c : row) fields += c == '\t';
      throw_input_error({source, line, 0, ""}, "wrong field count: expected 3 tab-separated fields (SID, title, "
                                               "item_id), found " + std::to_string(fields));
    }
    InfoLine info;
    info.line = line;
    info.sid = std::string(trim(row.substr(0, tab1)));
    info.title = std::string(row.substr(tab1 + 1, tab2 - tab1 - 1));
    info.item_id = std::string(trim(row.substr(tab2 + 1)));
    std::string error = sid_error(info.sid, nullptr, kAnySidGrammar);
    if (!error.empty()) throw_input_error({source, line, 1, "sid"}, error);
    if (info.item_id.empty() || info.item_id.find_first_not_of("0123456789") != std::string::npos)
      throw_input_error({source, line, tab2 + 2, "item_id"}, "expected a non-negative integer, found '" + info.item_id + "'");
    out.push_back(std::move(info));
    start = end + 1;
    ++line;
  }
  return out;
}

}  // namespace sidr::data
