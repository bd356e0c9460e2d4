#include "tasks/corpus_write.h"

#include "data/csv_writer.h"
#include "data/python_repr.h"
#include "util/file_io.h"

namespace sidr::tasks {

const std::vector<std::string>& narrative_columns() {
  static const std::vector<std::string> columns = {
      "user_id",        "history_item_title", "item_title",     "history_item_id",     "item_id",
      "history_item_sid", "item_sid",          "reasoning_path", "integrated_narrative"};
  return columns;
}

std::string narrative_csv_text(const std::vector<NarrativeOutRow>& rows) {
  std::string out = data::csv_record(narrative_columns());
  for (const auto& r : rows) {
    const auto& x = r.row;
    out += data::csv_record({x.user_id, data::python_repr(x.history_titles), x.item_title,
                             data::python_repr(x.history_ids), std::to_string(x.item_id),
                             data::python_repr(x.history_sids), x.item_sid, r.reasoning_path,
                             r.integrated_narrative});
  }
  return out;
}

void write_narrative_csv(const std::filesystem::path& path, const std::vector<NarrativeOutRow>& rows) {
  write_file_atomic(path, narrative_csv_text(rows));
}

void write_item_enhanced_json(const std::filesystem::path& path, const OrderedJson& items) {
  write_file_atomic(path, items.dump(2) + "\n");
}

}  // namespace sidr::tasks
