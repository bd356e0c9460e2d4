#include "util/json.h"

#include "util/error.h"
#include "util/file_io.h"
#include "util/utf8.h"

namespace sidr {

void line_and_column(std::string_view text, std::size_t offset, std::size_t& line, std::size_t& column) {
  line = 1;
  column = 1;
  if (offset > text.size()) offset = text.size();
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
}

template <typename J>
static J parse_impl(std::string_view text, const std::string& source) {
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos)
    throw InputError(source + ": empty JSON document");
  std::size_t bad = first_invalid_utf8(text);
  if (bad != std::string_view::npos) {
    Location where{source, 0, 0, ""};
    line_and_column(text, bad, where.line, where.column);
    throw_input_error(where, "invalid UTF-8");
  }
  try {
    return J::parse(text.begin(), text.end());
  } catch (const nlohmann::json::parse_error& e) {
    Location where{source, 0, 0, ""};
    line_and_column(text, e.byte > 0 ? e.byte - 1 : 0, where.line, where.column);
    std::string what = e.what();
    // nlohmann's message starts with "[json.exception.parse_error.101] parse error at line 1, column 2: ".
    auto colon = what.find(": ", what.find("parse error"));
    throw_input_error(where, "invalid JSON: " + (colon == std::string::npos ? what : what.substr(colon + 2)));
  } catch (const nlohmann::json::exception& e) {
    // e.g. out_of_range 406 "number overflow parsing '9e999'" (found by fuzz_tokenizer): no byte offset given.
    std::string what = e.what();
    auto bracket = what.find("] ");
    throw InputError(source + ": invalid JSON: " + (bracket == std::string::npos ? what : what.substr(bracket + 2)));
  }
}

Json parse_json(std::string_view text, const std::string& source) { return parse_impl<Json>(text, source); }
OrderedJson parse_ordered_json(std::string_view text, const std::string& source) {
  return parse_impl<OrderedJson>(text, source);
}
Json read_json_file(const std::filesystem::path& path) { return parse_json(read_file(path), path.string()); }
OrderedJson read_ordered_json_file(const std::filesystem::path& path) {
  return parse_ordered_json(read_file(path), path.string());
}

}  // namespace sidr
