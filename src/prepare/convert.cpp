#include "prepare/convert.h"

#include "data/dataset.h"
#include "prepare/line_reader.h"
#include "prepare/python_text.h"
#include "util/error.h"
#include "util/file_io.h"
#include "util/json.h"
#include "util/strings.h"

namespace sidr::prepare {
namespace fs = std::filesystem;
namespace {

// Python's csv writer with QUOTE_MINIMAL: quote a field holding ',', '"', '\r' or '\n' (doubling quotes).
void append_csv_field(std::string& out, std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += field;
    return;
  }
  out += '"';
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

std::uint32_t parse_id(std::string_view text, const Location& where, std::size_t limit) {
  std::uint64_t value = 0;
  if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string_view::npos)
    throw_input_error(where, "expected a non-negative integer id, found '" + std::string(text) + "'");
  for (char c : text) value = value * 10 + (c - '0');
  if (value >= limit)
    throw_input_error(where, "item id " + std::string(text) + " is not in item.json (" + std::to_string(limit) + " items)");
  return static_cast<std::uint32_t>(value);
}

}  // namespace

ConvertReport convert_to_reference_layout(const fs::path& prepared_dir, const std::string& dataset,
                                          const fs::path& index_json, const fs::path& root) {
  fs::path item_path = prepared_dir / (dataset + ".item.json");
  OrderedJson items = read_ordered_json_file(item_path);
  OrderedJson index = read_ordered_json_file(index_json);
  if (!items.is_object()) throw_input_error(Location{item_path.string(), 1, 1, ""}, "expected a JSON object");
  if (!index.is_object()) throw_input_error(Location{index_json.string(), 1, 1, ""}, "expected a JSON object");
  // Items must be 0..N-1 in order (what prepare writes); each needs a title and a SID.
  std::vector<std::string> titles, sids;
  std::size_t expected_id = 0;
  for (const auto& [key, value] : items.items()) {
    Location where{item_path.string(), 0, 0, key};
    if (key != std::to_string(expected_id++)) throw_input_error(where, "expected item ids 0, 1, ... in order");
    if (!value.is_object() || !value.contains("title") || !value["title"].is_string())
      throw_input_error(where, "expected an object with a string title");
    titles.push_back(value["title"].get<std::string>());
    auto sid = index.find(key);
    if (sid == index.end()) throw_input_error(Location{index_json.string(), 0, 0, key}, "item has no SID");
    if (!sid->is_array() || sid->empty()) throw_input_error(Location{index_json.string(), 0, 0, key}, "expected a list of tokens");
    std::string joined;
    for (const auto& token : *sid) {
      if (!token.is_string()) throw_input_error(Location{index_json.string(), 0, 0, key}, "expected string tokens");
      joined += token.get<std::string>();
    }
    sids.push_back(std::move(joined));
  }
  data::DatasetPaths paths{root, dataset};
  ConvertReport report;
  report.items = titles.size();
  const data::Split splits[3] = {data::Split::Train, data::Split::Valid, data::Split::Test};
  const char* names[3] = {"train", "valid", "test"};
  std::string csv_text[3];
  for (int s = 0; s < 3; ++s) {
    LineReader reader((prepared_dir / (dataset + "." + names[s] + ".inter")).string());
    std::string line;
    if (!reader.next(line) || line != "user_id:token\titem_id_list:token_seq\titem_id:token")
      throw_input_error(Location{reader.path(), 1, 0, ""}, "expected the .inter header");
    std::string& out = csv_text[s];
    out = "user_id,history_item_title,item_title,history_item_id,item_id,history_item_sid,item_sid\n";
    while (reader.next(line)) {
      std::vector<std::string> fields = split(line, '\t');
      Location where{reader.path(), reader.line_number(), 0, ""};
      if (fields.size() != 3) throw_input_error(where, "expected 3 tab-separated fields");
      where.field = "user_id:token";
      parse_id(fields[0], where, UINT32_MAX);
      where.field = "item_id_list:token_seq";
      std::vector<std::string> history_titles, history_sids;
      std::string history_ids = "[";
      for (const std::string& text : split(fields[1], ' ')) {
        std::uint32_t id = parse_id(text, where, titles.size());
        history_ids += (history_ids.size() > 1 ? ", " : "") + text;
        history_titles.push_back(titles[id]);
        history_sids.push_back(sids[id]);
      }
      history_ids += "]";
      where.field = "item_id:token";
      std::uint32_t target = parse_id(fields[2], where, titles.size());
      std::string row = "A" + fields[0] + ",";
      append_csv_field(row, python_repr_list(history_titles));
      row += ',';
      append_csv_field(row, titles[target]);
      row += ',';
      append_csv_field(row, history_ids);
      row += "," + fields[2] + ",";
      append_csv_field(row, python_repr_list(history_sids));
      row += ',';
      append_csv_field(row, sids[target]);
      out += row + "\n";
      ++report.rows[s];
    }
  }
  std::string info;
  for (std::size_t i = 0; i < titles.size(); ++i) info += sids[i] + "\t" + titles[i] + "\t" + std::to_string(i) + "\n";
  // Everything is checked above; now write (each file atomically).
  for (int s = 0; s < 3; ++s) {
    fs::create_directories(paths.interactions(splits[s]).parent_path());
    write_file_atomic(paths.interactions(splits[s]), csv_text[s]);
  }
  fs::create_directories(paths.info().parent_path());
  write_file_atomic(paths.info(), info);
  fs::create_directories(paths.index_json().parent_path());
  write_file_atomic(paths.index_json(), read_file(index_json));
  write_file_atomic(paths.item_json(), read_file(item_path));
  return report;
}

}  // namespace sidr::prepare
