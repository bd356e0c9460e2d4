#include "baseline/sequence_data.h"

#include <string>
#include <unordered_map>

#include "data/catalog.h"
#include "data/interactions.h"
#include "util/error.h"

namespace sidr::baseline {

SequenceSplit SequenceData::to_split(const data::Interactions& rows, std::int64_t num_items, int max_len) {
  if (max_len < 1) throw InputError("max_len must be at least 1, got " + std::to_string(max_len));
  SequenceSplit split;
  split.file = rows.file;
  split.rows.reserve(rows.rows.size());
  const std::string file = rows.file.string();
  for (const auto& row : rows.rows) {
    if (row.history_ids.empty()) throw_input_error({file, row.line, 0, "history_item_id"}, "empty history");
    for (auto id : row.history_ids)
      if (id < 0 || id >= num_items)
        throw_input_error({file, row.line, 0, "history_item_id"},
                          "item id " + std::to_string(id) + " is not in the catalog (0.." +
                              std::to_string(num_items - 1) + ")");
    if (row.item_id < 0 || row.item_id >= num_items)
      throw_input_error({file, row.line, 0, "item_id"}, "item id " + std::to_string(row.item_id) +
                                                            " is not in the catalog (0.." +
                                                            std::to_string(num_items - 1) + ")");
    SequenceExample example;
    auto keep = std::min<std::size_t>(row.history_ids.size(), static_cast<std::size_t>(max_len));
    example.history.assign(row.history_ids.end() - static_cast<std::ptrdiff_t>(keep), row.history_ids.end());
    example.target = row.item_id;
    example.line = row.line;
    split.rows.push_back(std::move(example));
  }
  if (split.rows.empty()) throw InputError(file + ": no rows");
  return split;
}

SequenceData SequenceData::from(const data::Catalog& catalog, const data::Interactions& train,
                                const data::Interactions& valid, const data::Interactions& test, int max_len) {
  SequenceData out;
  const auto& items = catalog.items();
  if (items.empty()) throw InputError("the catalog has no items");
  out.num_items = static_cast<std::int64_t>(items.size());
  std::unordered_map<std::string, std::int32_t> sid_index;
  out.item_sid.reserve(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    // sasrec.py addresses items by position (embedding row = item id), so ids must be exactly 0..N-1.
    if (items[i].id != std::to_string(i))
      throw InputError("index.json: item ids must be 0..N-1 in order; position " + std::to_string(i) +
                       " holds id '" + items[i].id + "'");
    auto [it, inserted] = sid_index.emplace(items[i].sid, static_cast<std::int32_t>(out.sids.size()));
    if (inserted) out.sids.push_back(items[i].sid);
    out.item_sid.push_back(it->second);
  }
  out.train = to_split(train, out.num_items, max_len);
  out.valid = to_split(valid, out.num_items, max_len);
  out.test = to_split(test, out.num_items, max_len);
  return out;
}

SequenceData SequenceData::load(const data::DatasetPaths& paths, int max_len) {
  auto catalog = data::Catalog::load(paths);
  auto train = data::Interactions::load(paths.interactions(data::Split::Train));
  auto valid = data::Interactions::load(paths.interactions(data::Split::Valid));
  auto test = data::Interactions::load(paths.interactions(data::Split::Test));
  return from(catalog, train, valid, test, max_len);
}

}  // namespace sidr::baseline
