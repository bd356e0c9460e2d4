#include "tasks/narrative_check.h"

#include <cctype>

#include "util/error.h"
#include "util/strings.h"

namespace sidr::tasks {
namespace {

// Length of the level token `<x_N>` for `level` at text[pos], or 0.
std::size_t token_at(const std::string& text, std::size_t pos, int level) {
  const char letter = static_cast<char>('a' + level);
  if (pos + 4 > text.size() || text[pos] != '<' || text[pos + 1] != letter || text[pos + 2] != '_') return 0;
  std::size_t i = pos + 3;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
  if (i == pos + 3 || i >= text.size() || text[i] != '>') return 0;
  return i + 1 - pos;
}

}  // namespace

std::vector<std::string> sids_in_text(const std::string& text, int levels) {
  std::vector<std::string> out;
  for (std::size_t pos = text.find("<a_"); pos != std::string::npos; pos = text.find("<a_", pos + 1)) {
    std::size_t end = pos;
    int level = 0;
    for (; level < levels; ++level) {
      const std::size_t n = token_at(text, end, level);
      if (n == 0) break;
      end += n;
    }
    if (level == levels) out.push_back(text.substr(pos, end - pos));
  }
  return out;
}

void check_narrative(const NarrativeFile& file, const data::Catalog& catalog) {
  const int levels = catalog.grammar().levels;
  const std::string name = file.file.string();
  for (std::size_t r = 0; r < file.rows.size(); ++r) {
    const NarrativeRow& row = file.rows[r];
    auto fail = [&](const char* field, const std::string& what) {
      throw_input_error({name, row.line, 0, field}, "row " + std::to_string(r + 1) + ": " + what);
    };
    if (row.item_sid && !catalog.has_sid(*row.item_sid))
      fail("item_sid", "SID " + *row.item_sid + " is not in the index");
    if (row.history_sids)
      for (const auto& sid : *row.history_sids)
        if (!catalog.has_sid(sid)) fail("history_item_sid", "SID " + sid + " is not in the index");
    if (row.reasoning_path) {
      // What Stage 2 trains on: the text after a leading <think>...</think> block (build_reason's rule).
      const std::string used = starts_with(trim(*row.reasoning_path), "<think>") ? cut_after_think(*row.reasoning_path)
                                                                                 : *row.reasoning_path;
      if (row.item_sid && used.find(*row.item_sid) != std::string::npos)
        fail("reasoning_path", "the reasoning names its target SID " + *row.item_sid);
      for (const auto& sid : sids_in_text(used, levels))
        if (!catalog.has_sid(sid)) fail("reasoning_path", "SID " + sid + " is not in the index");
    }
    if (row.integrated_narrative)
      for (const auto& sid : sids_in_text(*row.integrated_narrative, levels))
        if (!catalog.has_sid(sid)) fail("integrated_narrative", "SID " + sid + " is not in the index");
  }
}

}  // namespace sidr::tasks
