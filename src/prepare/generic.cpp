#include "prepare/generic.h"

#include <charconv>

#include "data/csv.h"
#include "prepare/python_text.h"
#include "util/error.h"
#include "util/file_io.h"

namespace sidr::prepare {
namespace {

struct Columns {
  std::unordered_map<std::string, std::size_t> index;
  std::size_t count = 0;
  std::optional<std::size_t> find(const std::string& name) const {
    auto it = index.find(name);
    return it == index.end() ? std::nullopt : std::optional<std::size_t>(it->second);
  }
};

Columns read_header(data::CsvReader& reader, data::CsvRecord& record, const std::string& path,
                    const std::vector<std::string>& required) {
  if (!reader.next(record)) throw_input_error(Location{path, 1, 0, ""}, "empty file (expected a header)");
  Columns columns;
  columns.count = record.fields.size();
  for (std::size_t i = 0; i < record.fields.size(); ++i) columns.index.emplace(record.fields[i], i);
  for (const std::string& name : required)
    if (!columns.find(name)) throw_input_error(Location{path, 1, 0, name}, "missing column in the header");
  return columns;
}

const std::string& cell(const data::CsvRecord& record, const Columns& columns, const std::string& path,
                        std::size_t column) {
  if (record.fields.size() != columns.count)
    throw_input_error(Location{path, record.line, 0, ""}, "expected " + std::to_string(columns.count) +
                                                                " fields, found " + std::to_string(record.fields.size()));
  return record.fields[column];
}

}  // namespace

GenericItems read_generic_items(const std::string& path) {
  std::string text = read_file(path);
  data::CsvReader reader(text, path);
  data::CsvRecord record;
  Columns columns = read_header(reader, record, path, {"item", "title"});
  std::size_t item_column = *columns.find("item"), title_column = *columns.find("title");
  auto description = columns.find("description"), brand = columns.find("brand"), categories = columns.find("categories");
  GenericItems out;
  while (reader.next(record)) {
    ++out.rows;
    const std::string& item = cell(record, columns, path, item_column);
    if (item.empty()) throw_input_error(Location{path, record.line, record.columns[item_column], "item"}, "empty");
    std::string title = python_strip(cell(record, columns, path, title_column));
    if (title.empty()) {
      ++out.dropped;
      continue;
    }
    ItemText& entry = out.items[item];
    entry.title = std::move(title);
    entry.description = description ? record.fields[*description] : "";
    entry.brand = brand ? record.fields[*brand] : "";
    entry.categories = categories ? record.fields[*categories] : "";
  }
  return out;
}

InteractionTable read_generic_interactions(const std::string& path, const GenericItems& items,
                                           std::optional<std::int64_t> earliest, std::optional<std::int64_t> end) {
  std::string text = read_file(path);
  data::CsvReader reader(text, path);
  data::CsvRecord record;
  Columns columns = read_header(reader, record, path, {"user", "item", "timestamp"});
  std::size_t user_column = *columns.find("user"), item_column = *columns.find("item"),
              time_column = *columns.find("timestamp");
  InteractionTable table;
  table.bytes = text.size();
  while (reader.next(record)) {
    ++table.lines;
    const std::string& user = cell(record, columns, path, user_column);
    const std::string& item = record.fields[item_column];
    const std::string& time_text = record.fields[time_column];
    if (user.empty()) throw_input_error(Location{path, record.line, record.columns[user_column], "user"}, "empty");
    if (item.empty()) throw_input_error(Location{path, record.line, record.columns[item_column], "item"}, "empty");
    std::int64_t time = 0;
    auto [end_ptr, error] = std::from_chars(time_text.data(), time_text.data() + time_text.size(), time);
    if (error != std::errc() || end_ptr != time_text.data() + time_text.size() || time_text.empty())
      throw_input_error(Location{path, record.line, record.columns[time_column], "timestamp"},
                        "expected an integer Unix time, found '" + time_text + "'");
    if (!items.items.count(item)) {
      ++table.untitled;
      continue;
    }
    if ((earliest && time < *earliest) || (end && time > *end)) {
      ++table.outside_window;
      continue;
    }
    table.reviews.push_back(Review{table.users.intern(user), table.items.intern(item), time});
  }
  return table;
}

}  // namespace sidr::prepare
