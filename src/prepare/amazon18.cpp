#include "prepare/amazon18.h"

#include <cmath>

#include <fmt/format.h>

#include "prepare/line_reader.h"
#include "prepare/python_text.h"
#include "util/error.h"
#include "util/json.h"

namespace sidr::prepare {
namespace {

Json parse_line(const LineReader& reader, const std::string& line) {
  Json value;
  try {
    value = Json::parse(line);
  } catch (const Json::exception& e) {
    std::string what = e.what();
    // nlohmann's message starts "[json.exception.parse_error.101] parse error at line 1, column 7: ..."
    if (auto colon = what.find("column"); colon != std::string::npos) what = what.substr(colon);
    // The message quotes the bytes last read, which may be the invalid UTF-8 itself: keep the line printable.
    std::string printable;
    for (unsigned char c : what) printable += c < 0x80 ? std::string(1, static_cast<char>(c)) : fmt::format("\\x{:02x}", c);
    what = printable;
    throw_input_error(Location{reader.path(), reader.line_number(), 0, ""}, "broken JSON: " + what);
  }
  if (!value.is_object())
    throw_input_error(Location{reader.path(), reader.line_number(), 0, ""}, "expected a JSON object");
  return value;
}

const std::string& string_field(const LineReader& reader, const Json& object, const char* field) {
  auto it = object.find(field);
  if (it == object.end()) throw_input_error(Location{reader.path(), reader.line_number(), 0, field}, "missing");
  if (!it->is_string())
    throw_input_error(Location{reader.path(), reader.line_number(), 0, field},
                      std::string("expected a string, found ") + it->type_name());
  return it->get_ref<const std::string&>();
}

// Seconds. amazon18: int(review["unixReviewTime"]): an integer, a float (truncated), or a string of decimal
// digits with an optional sign and surrounding whitespace. amazon23: an integer of milliseconds, // 1000.
std::int64_t time_field(const LineReader& reader, const Json& object, const AmazonLayout& layout) {
  const char* field = layout.time;
  Location where{reader.path(), reader.line_number(), 0, field};
  auto it = object.find(field);
  if (it == object.end()) throw_input_error(where, "missing");
  if (layout.time_in_milliseconds) {
    if (!it->is_number_integer())
      throw_input_error(where, "expected an integer Unix time in milliseconds, found " + it->dump());
    std::int64_t ms = it->get<std::int64_t>();
    return ms / 1000 - (ms % 1000 < 0 ? 1 : 0);  // Python's floor division
  }
  if (it->is_number_integer()) return it->get<std::int64_t>();
  if (it->is_number_float()) {
    double value = it->get<double>();
    if (std::isfinite(value) && std::fabs(value) < 9e18) return static_cast<std::int64_t>(value);
  }
  if (it->is_string()) {
    std::string text = python_strip(it->get<std::string>());
    std::size_t i = (!text.empty() && (text[0] == '+' || text[0] == '-')) ? 1 : 0;
    bool digits = i < text.size() && text.size() - i <= 18 &&
                  text.find_first_not_of("0123456789", i) == std::string::npos;
    if (digits) return std::stoll(text);
  }
  throw_input_error(where, "expected an integer Unix time, found " + it->dump());
}

// str() of a description, then clean_text (only when truthy, as the script does).
std::string description_text(const LineReader& reader, const Json& meta) {
  auto it = meta.find("description");
  if (it == meta.end() || it->is_null()) return "";
  Location where{reader.path(), reader.line_number(), 0, "description"};
  if (it->is_string()) return it->get<std::string>().empty() ? "" : clean_text(it->get<std::string>());
  if (!it->is_array()) throw_input_error(where, std::string("expected a string or a list of strings, found ") +
                                                    it->type_name());
  if (it->empty()) return "";
  std::vector<std::string> parts;
  for (const Json& part : *it) {
    if (!part.is_string()) throw_input_error(where, "expected a list of strings");
    parts.push_back(part.get<std::string>());
  }
  return clean_text(python_repr_list(parts));
}

// meta.get("categories"): never present in Amazon'18 (it has "category"); a list of strings in Amazon'23: flattened
// one level, entries holding "</span>" dropped, stripped, joined with ",".
std::string categories_text(const LineReader& reader, const Json& meta) {
  auto it = meta.find("categories");
  if (it == meta.end() || it->is_null() || (it->is_array() && it->empty())) return "";
  Location where{reader.path(), reader.line_number(), 0, "categories"};
  if (!it->is_array()) throw_input_error(where, "expected a list");
  std::vector<Json> flat;
  if ((*it)[0].is_array()) {
    for (const Json& group : *it) {
      if (!group.is_array()) throw_input_error(where, "expected a list of lists");
      for (const Json& entry : group) flat.push_back(entry);
    }
  } else {
    flat.assign(it->begin(), it->end());
  }
  std::string joined;
  bool first = true;
  for (const Json& entry : flat) {
    if (!entry.is_string()) throw_input_error(where, "expected strings");
    const std::string& text = entry.get_ref<const std::string&>();
    if (text.find("</span>") != std::string::npos) continue;
    if (!first) joined += ',';
    joined += python_strip(text);
    first = false;
  }
  return python_strip(joined);
}

}  // namespace

MetaTitles read_amazon18_titles(const std::string& meta_path, const AmazonLayout& layout) {
  MetaTitles out;
  LineReader reader(meta_path);
  std::string line;
  while (reader.next(line)) {
    Json meta = parse_line(reader, line);
    const std::string& asin = string_field(reader, meta, layout.item);
    ++out.lines;
    auto title = meta.find("title");
    if (title == meta.end()) {
      ++out.dropped;
      continue;
    }
    if (!title->is_string())
      throw_input_error(Location{reader.path(), reader.line_number(), 0, "title"},
                        std::string("expected a string, found ") + title->type_name());
    std::optional<std::string> cleaned = clean_title(title->get_ref<const std::string&>());
    if (!cleaned || !kept_title(*cleaned)) {
      ++out.dropped;
      continue;
    }
    out.title[asin] = std::move(*cleaned);
  }
  out.bytes = reader.bytes_read();
  return out;
}

InteractionTable read_amazon18_reviews(const std::string& reviews_path, const MetaTitles& titles,
                                       std::optional<std::int64_t> earliest, std::optional<std::int64_t> end,
                                       const AmazonLayout& layout) {
  InteractionTable table;
  LineReader reader(reviews_path);
  std::string line;
  while (reader.next(line)) {
    Json review = parse_line(reader, line);
    const std::string& asin = string_field(reader, review, layout.item);
    std::int64_t time = time_field(reader, review, layout);
    const std::string& user = string_field(reader, review, layout.user);
    ++table.lines;
    if (!titles.title.count(asin)) {
      ++table.untitled;
      continue;
    }
    if ((earliest && time < *earliest) || (end && time > *end)) {
      ++table.outside_window;
      continue;
    }
    table.reviews.push_back(Review{table.users.intern(user), table.items.intern(asin), time});
  }
  table.bytes = reader.bytes_read();
  return table;
}

std::vector<ItemText> read_amazon18_item_text(const std::string& meta_path, const std::vector<std::string>& asins,
                                              const MetaTitles& titles, const AmazonLayout& layout) {
  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < asins.size(); ++i) index.emplace(asins[i], i);
  std::vector<ItemText> items(asins.size());
  for (std::size_t i = 0; i < asins.size(); ++i) items[i].title = titles.title.at(asins[i]);
  LineReader reader(meta_path);
  std::string line;
  while (reader.next(line)) {
    Json meta = parse_line(reader, line);
    auto found = index.find(string_field(reader, meta, layout.item));
    if (found == index.end()) continue;
    ItemText& item = items[found->second];
    item.description = description_text(reader, meta);
    auto brand = meta.find(layout.brand);
    if (brand == meta.end() || brand->is_null()) {
      item.brand.clear();
    } else {
      if (!brand->is_string())
        throw_input_error(Location{reader.path(), reader.line_number(), 0, layout.brand},
                          std::string("expected a string, found ") + brand->type_name());
      // str.replace("by\n", ""): one left-to-right pass, so removals never join into a new match.
      const std::string& raw = brand->get_ref<const std::string&>();
      std::string text;
      for (std::size_t i = 0; i < raw.size();) {
        if (raw.compare(i, 3, "by\n") == 0) {
          i += 3;
        } else {
          text += raw[i++];
        }
      }
      item.brand = python_strip(text);
    }
    item.categories = categories_text(reader, meta);
  }
  return items;
}

}  // namespace sidr::prepare
