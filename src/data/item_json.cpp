#include "data/item_json.h"

#include <string>

#include "util/error.h"
#include "util/file_io.h"
#include "util/json.h"

namespace sidr::data {
namespace {

// Line of the first `"key":` after `after` (error path only).
Location where_is(const std::string& text, const std::string& source, const std::string& key, std::size_t after,
                  const std::string& field) {
  Location where{source, 0, 0, field};
  std::size_t at = text.find("\"" + key + "\"", after);
  if (at != std::string::npos) line_and_column(text, at, where.line, where.column);
  return where;
}

}  // namespace

std::vector<Item> read_item_json(const std::filesystem::path& item_json) {
  const std::string source = item_json.string();
  const std::string text = read_file(item_json);
  const Json meta = parse_json(text, source);
  if (!meta.is_object())
    throw_input_error({source, 1, 1, ""},
                      std::string("expected a JSON object {item_id: {title, description, ...}}, found ") +
                          meta.type_name());
  if (meta.empty()) throw_input_error({source, 1, 1, ""}, "no items");
  const std::size_t n = meta.size();
  std::vector<Item> items(n);
  std::vector<bool> seen(n, false);
  for (auto it = meta.begin(); it != meta.end(); ++it) {
    const std::string& id = it.key();
    bool canonical = !id.empty() && id.size() < 19 && (id == "0" || id[0] != '0');
    for (char c : id) canonical = canonical && c >= '0' && c <= '9';
    if (!canonical)
      throw_input_error(where_is(text, source, id, 0, id), "item id must be a non-negative integer without leading zeros");
    const std::size_t number = std::stoull(id);
    if (number >= n)
      throw_input_error(where_is(text, source, id, 0, id),
                        "item ids must be 0.." + std::to_string(n - 1) + " (one row per id), found " + id);
    seen[number] = true;
    const Json& value = it.value();
    if (!value.is_object())
      throw_input_error(where_is(text, source, id, 0, id),
                        std::string("expected an object {title, description, brand, categories}, found ") +
                            value.type_name());
    const std::size_t item_at = text.find("\"" + id + "\"");
    Item& item = items[number];
    item.id = id;
    auto read_string = [&](const char* key, std::string& out, bool required) {
      auto field = value.find(key);
      if (field == value.end()) {
        if (required) throw_input_error(where_is(text, source, id, 0, key), "missing in item '" + id + "'");
        return;
      }
      if (!field->is_string())
        throw_input_error(where_is(text, source, key, item_at == std::string::npos ? 0 : item_at, key),
                          std::string("expected a string, found ") + field->type_name() + " (item '" + id + "')");
      out = field->get<std::string>();
    };
    read_string("title", item.title, true);
    read_string("description", item.description, false);
    read_string("brand", item.brand, false);
    read_string("categories", item.categories, false);
  }
  // n distinct keys, each below n: every id 0..n-1 is present (kept as a check against future edits).
  for (std::size_t i = 0; i < n; ++i)
    if (!seen[i]) throw_input_error({source, 0, 0, std::to_string(i)}, "item " + std::to_string(i) + " is missing");
  return items;
}

}  // namespace sidr::data
