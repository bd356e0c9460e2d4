#include "data/catalog.h"

#include <algorithm>
#include <set>

#include "data/list_literal.h"
#include "data/sid_string.h"
#include "util/error.h"
#include "util/file_io.h"
#include "util/json.h"

namespace sidr::data {
namespace {

// nlohmann does not keep value positions; on an error we find the key's line in the text instead
// (only on the error path, so the linear search costs nothing in the normal case).
Location key_location(const std::string& text, const std::string& source, const std::string& key,
                      std::size_t after = 0, const std::string& field = "") {
  std::string needle = "\"" + key + "\"";
  std::size_t at = text.find(needle, after);
  Location where{source, 0, 0, field.empty() ? key : field};
  if (at != std::string::npos) line_and_column(text, at, where.line, where.column);
  return where;
}

std::size_t key_offset(const std::string& text, const std::string& key) {
  std::size_t at = text.find("\"" + key + "\"");
  return at == std::string::npos ? 0 : at;
}

const char* type_name(const OrderedJson& value) { return value.type_name(); }

bool is_canonical_id(const std::string& id) {
  if (id.empty() || id.size() > 18 || id.find_first_not_of("0123456789") != std::string::npos) return false;
  return id.size() == 1 || id[0] != '0';
}

// Python's str.isspace() for the code point starting at s[i]; sets `len` to its byte length.
bool python_space_at(std::string_view s, std::size_t i, std::size_t& len) {
  auto u = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = u(i);
  len = 1;
  if (c < 0x80) return c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F);
  std::uint32_t cp = 0;
  if ((c & 0xE0) == 0xC0 && i + 1 < s.size()) {
    len = 2;
    cp = ((c & 0x1Fu) << 6) | (u(i + 1) & 0x3Fu);
  } else if ((c & 0xF0) == 0xE0 && i + 2 < s.size()) {
    len = 3;
    cp = ((c & 0x0Fu) << 12) | ((u(i + 1) & 0x3Fu) << 6) | (u(i + 2) & 0x3Fu);
  } else {
    if ((c & 0xF8) == 0xF0) len = 4;
    if (i + len > s.size()) len = s.size() - i;
    return false;
  }
  return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 ||
         cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

bool python_blank(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    std::size_t len = 1;
    if (!python_space_at(s, i, len)) return false;
    i += len;
  }
  return true;
}

}  // namespace

SidIndex SidIndex::parse(const std::string& text, const std::string& source) {
  const OrderedJson index = parse_ordered_json(text, source);
  if (!index.is_object())
    throw_input_error({source, 1, 1, ""}, std::string("expected a JSON object {item_id: [SID tokens]}, found ") +
                                              index.type_name());
  if (index.empty()) throw_input_error({source, 1, 1, ""}, "no items");
  SidIndex out;
  out.entries.reserve(index.size());
  std::set<std::string> tokens;
  for (auto it = index.begin(); it != index.end(); ++it) {
    const std::string& id = it.key();
    const OrderedJson& value = it.value();
    if (!is_canonical_id(id))
      throw_input_error(key_location(text, source, id), "item id must be a non-negative integer without "
                                                        "leading zeros");
    if (out.grammar.levels == 0 && value.is_array() && !value.empty() && value.size() <= kMaxSidLevels)
      out.grammar.levels = static_cast<int>(value.size());  // the first item fixes the level count
    const auto levels = static_cast<std::size_t>(out.grammar.levels);
    if (!value.is_array() || levels == 0 || value.size() != levels)
      throw_input_error(key_location(text, source, id),
                        "expected a list of " + (levels ? std::to_string(levels) : std::string("1..26")) +
                            " SID tokens, found " +
                            (value.is_array() ? "a list of " + std::to_string(value.size()) : type_name(value)));
    Entry entry;
    entry.id = id;
    entry.sid_tokens.resize(levels);
    for (std::size_t level = 0; level < levels; ++level) {
      const OrderedJson& token = value[level];
      if (!token.is_string())
        throw_input_error(key_location(text, source, id),
                          "token " + std::to_string(level + 1) + " is a " + token.type_name() + ", expected a string");
      int code = 0;
      std::string error = sid_token_error(token.get_ref<const std::string&>(), static_cast<int>(level), &code,
                                          kAnySidGrammar.codebook_size);
      if (!error.empty()) throw_input_error(key_location(text, source, id), error);
      out.grammar.codebook_size = std::max(out.grammar.codebook_size, code + 1);
      entry.sid_tokens[level] = token.get<std::string>();
      entry.sid += entry.sid_tokens[level];
      tokens.insert(entry.sid_tokens[level]);
    }
    out.entries.push_back(std::move(entry));
  }
  out.sorted_level_tokens.assign(tokens.begin(), tokens.end());  // std::set: plain byte order
  return out;
}

SidIndex SidIndex::load(const std::filesystem::path& index_json) {
  return parse(read_file(index_json), index_json.string());
}

Catalog Catalog::load_index_and_items(const std::filesystem::path& index_json,
                                      const std::filesystem::path& item_json) {
  const std::string index_source = index_json.string();
  const std::string item_source = item_json.string();
  const std::string index_text = read_file(index_json);
  SidIndex index = SidIndex::parse(index_text, index_source);
  const std::string item_text = read_file(item_json);
  // item.json is only looked up by key; a sorted map makes each lookup O(log n).
  const Json item_meta = parse_json(item_text, item_source);
  if (!item_meta.is_object())
    throw_input_error({item_source, 1, 1, ""}, std::string("expected a JSON object {item_id: {title, ...}}, found ") +
                                                   item_meta.type_name());

  Catalog catalog;
  catalog.grammar_ = index.grammar;
  catalog.sorted_level_tokens_ = std::move(index.sorted_level_tokens);
  catalog.items_.reserve(index.entries.size());
  for (SidIndex::Entry& entry : index.entries) {
    const std::string& id = entry.id;
    Item item;
    item.id = id;
    item.sid_tokens = std::move(entry.sid_tokens);
    item.sid = std::move(entry.sid);

    auto meta = item_meta.find(id);
    if (meta == item_meta.end())
      throw_input_error({item_source, 0, 0, ""}, "item '" + id + "' of " + index_source + " is missing here");
    if (!meta->is_object())
      throw_input_error(key_location(item_text, item_source, id),
                        std::string("expected an object {title, description, brand, categories}, found ") +
                            meta->type_name());
    auto read_string = [&](const char* key, std::string& out, bool required) {
      auto field = meta->find(key);
      if (field == meta->end()) {
        if (required) throw_input_error(key_location(item_text, item_source, id, 0, key), "missing in item '" + id + "'");
        return;
      }
      if (!field->is_string())
        throw_input_error(key_location(item_text, item_source, key, key_offset(item_text, id)),
                          std::string("expected a string, found ") + field->type_name() + " (item '" + id + "')");
      out = field->get<std::string>();
    };
    read_string("title", item.title, true);
    read_string("description", item.description, false);
    read_string("brand", item.brand, false);
    read_string("categories", item.categories, false);

    if (!catalog.by_id_.emplace(id, catalog.items_.size()).second)
      throw_input_error(key_location(index_text, index_source, id), "duplicate item id");
    auto& group = catalog.by_sid_[item.sid];
    if (group.empty()) catalog.distinct_sids_.push_back(item.sid);
    group.push_back(id);
    catalog.items_.push_back(std::move(item));
  }
  // The CSVs name items by integer id; a dense table saves a to_string + hash per lookup.
  for (std::size_t i = 0; i < catalog.items_.size(); ++i) {
    std::size_t number = std::stoull(catalog.items_[i].id);
    if (number >= 4 * catalog.items_.size() + 1024) continue;  // sparse ids fall back to the hash map
    if (number >= catalog.by_number_.size()) catalog.by_number_.resize(number + 1, -1);
    catalog.by_number_[number] = static_cast<std::int32_t>(i);
  }
  catalog.items_without_sid_ = item_meta.size() - catalog.items_.size();  // every index id was found there
  return catalog;
}

Catalog Catalog::load(const DatasetPaths& paths) {
  Catalog catalog = load_index_and_items(paths.index_json(), paths.item_json());
  catalog.info_lines_ = load_info(paths.info());
  const std::string source = paths.info().string();
  std::vector<bool> seen(catalog.items_.size(), false);
  for (const InfoLine& line : catalog.info_lines_) {
    auto it = catalog.by_id_.find(line.item_id);
    if (it == catalog.by_id_.end())
      throw_input_error({source, line.line, 0, "item_id"}, "unknown item id '" + line.item_id + "' (not in " +
                                                               paths.index_json().filename().string() + ")");
    const Item& item = catalog.items_[it->second];
    if (seen[it->second]) throw_input_error({source, line.line, 0, "item_id"}, "item '" + line.item_id + "' listed twice");
    seen[it->second] = true;
    if (line.sid != item.sid)
      throw_input_error({source, line.line, 1, "sid"}, "SID " + line.sid + " of item '" + item.id + "' differs from " +
                                                           item.sid + " in index.json");
    if (line.title != item.title)
      throw_input_error({source, line.line, 0, "title"}, "title of item '" + item.id + "' differs from item.json");
  }
  for (std::size_t i = 0; i < seen.size(); ++i)
    if (!seen[i])
      throw_input_error({source, 0, 0, ""}, "item '" + catalog.items_[i].id + "' of index.json has no line here");
  return catalog;
}

const Item* Catalog::find(const std::string& item_id) const {
  auto it = by_id_.find(item_id);
  return it == by_id_.end() ? nullptr : &items_[it->second];
}

const Item* Catalog::find(std::int64_t item_id) const {
  if (item_id < 0) return nullptr;
  if (static_cast<std::uint64_t>(item_id) < by_number_.size()) {
    std::int32_t index = by_number_[static_cast<std::size_t>(item_id)];
    return index < 0 ? nullptr : &items_[static_cast<std::size_t>(index)];
  }
  return find(std::to_string(item_id));
}

const Item& Catalog::at(const std::string& item_id) const {
  const Item* item = find(item_id);
  if (!item) throw InputError("unknown item id '" + item_id + "'");
  return *item;
}

const std::vector<std::string>& Catalog::items_with_sid(const std::string& sid) const {
  static const std::vector<std::string> kNone;
  auto it = by_sid_.find(sid);
  return it == by_sid_.end() ? kNone : it->second;
}

bool Catalog::has_sid(const std::string& sid) const { return by_sid_.count(sid) > 0; }

std::string Catalog::processed_description(const Item& item) {
  const std::string& description = item.description;
  if (description.empty()) return item.title;
  if (description.front() == '[' && description.back() == ']') {
    // The reference eval()s it; a value that is not a list of strings is used as plain text below.
    try {
      std::vector<std::string> parts = parse_string_list(description, Location{});
      const std::string* best = nullptr;
      std::size_t best_length = 0;
      for (const std::string& part : parts) {
        if (part.empty() || python_blank(part)) continue;
        std::size_t length = utf8_length(part);  // Python's len(): code points
        if (!best || length > best_length) {   // max() keeps the first of equal lengths
          best = &part;
          best_length = length;
        }
      }
      return best ? *best : item.title;
    } catch (const InputError&) {
    }
  }
  return python_blank(description) ? item.title : description;
}

}  // namespace sidr::data
