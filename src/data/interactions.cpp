#include "data/interactions.h"

#include <array>
#include <limits>

#include "data/csv.h"
#include "data/list_literal.h"
#include "data/sid_string.h"
#include "util/error.h"
#include "util/file_io.h"

namespace sidr::data {
namespace {

enum Column { kUserId, kHistoryTitle, kItemTitle, kHistoryId, kItemId, kHistorySid, kItemSid, kColumns };
const std::array<const char*, kColumns> kColumnNames = {
    "user_id", "history_item_title", "item_title", "history_item_id", "item_id", "history_item_sid", "item_sid"};

std::int64_t parse_item_id(const std::string& text, const Location& where) {
  if (text.empty()) throw_input_error(where, "empty value, expected an integer item id");
  std::int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') throw_input_error(where, "expected a non-negative integer item id, found '" + text + "'");
    if (value > (std::numeric_limits<std::int64_t>::max() - (c - '0')) / 10)
      throw_input_error(where, "item id out of range");
    value = value * 10 + (c - '0');
  }
  return value;
}

}  // namespace

Interactions Interactions::load(const std::filesystem::path& csv_path) {
  Interactions out;
  out.file = csv_path;
  const std::string source = csv_path.string();
  const std::string text = read_file(csv_path);
  CsvReader reader(text, source);
  CsvRecord record;
  if (!reader.next(record)) throw_input_error({source, 1, 0, ""}, "empty file, expected the CSV header");

  // Columns are found by name (the reference reads them with pandas); extra columns are allowed.
  std::array<std::size_t, kColumns> index{};
  const std::size_t width = record.fields.size();
  for (int c = 0; c < kColumns; ++c) {
    std::size_t found = width;
    for (std::size_t k = 0; k < width; ++k) {
      if (record.fields[k] != kColumnNames[c]) continue;
      if (found != width) throw_input_error({source, 1, record.columns[k], kColumnNames[c]}, "duplicate column");
      found = k;
    }
    if (found == width) throw_input_error({source, 1, 0, kColumnNames[c]}, "missing column in the CSV header");
    index[c] = found;
  }

  out.rows.reserve(text.size() / 400);
  while (reader.next(record)) {
    if (record.fields.size() != width) {
      throw_input_error({source, record.line, 0, ""}, "wrong column count: expected " + std::to_string(width) +
                                                          " fields, found " + std::to_string(record.fields.size()));
    }
    auto where = [&](int c) {
      std::size_t k = index[c];
      return Location{source, record.lines[k], record.columns[k], kColumnNames[c]};
    };
    auto field = [&](int c) -> std::string& { return record.fields[index[c]]; };

    Interaction row;
    row.line = record.line;
    row.user_id = std::move(field(kUserId));
    row.item_title = std::move(field(kItemTitle));
    row.history_titles = parse_string_list(field(kHistoryTitle), where(kHistoryTitle));
    row.history_ids = parse_int_list(field(kHistoryId), where(kHistoryId));
    row.item_id = parse_item_id(field(kItemId), where(kItemId));
    row.history_sids = parse_string_list(field(kHistorySid), where(kHistorySid));
    row.item_sid = std::move(field(kItemSid));

    for (std::size_t i = 0; i < row.history_sids.size(); ++i) {
      std::string error = sid_error(row.history_sids[i], nullptr, kAnySidGrammar);
      if (!error.empty()) throw_input_error(where(kHistorySid), "element " + std::to_string(i + 1) + ": " + error);
    }
    std::string error = sid_error(row.item_sid, nullptr, kAnySidGrammar);
    if (!error.empty()) throw_input_error(where(kItemSid), error);
    for (std::int64_t id : row.history_ids)
      if (id < 0) throw_input_error(where(kHistoryId), "negative item id " + std::to_string(id));
    if (row.history_titles.size() != row.history_ids.size())
      throw_input_error(where(kHistoryTitle), "has " + std::to_string(row.history_titles.size()) +
                                                  " elements but history_item_id has " +
                                                  std::to_string(row.history_ids.size()));
    if (row.history_sids.size() != row.history_ids.size())
      throw_input_error(where(kHistorySid), "has " + std::to_string(row.history_sids.size()) +
                                                " elements but history_item_id has " +
                                                std::to_string(row.history_ids.size()));
    out.rows.push_back(std::move(row));
  }
  return out;
}

}  // namespace sidr::data
