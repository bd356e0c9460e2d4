// An RFC 4180 CSV reader, strict enough to catch broken files: fields separated by ',', records by "\n" or
// "\r\n"; a field that starts with '"' is quoted, may hold ',', line breaks and '""' (one quote), and must be
// followed by a separator, a record end or the end of the file. A '"' inside an unquoted field, text after a
// closing quote and an unclosed quote are InputErrors naming file, line and column. The text must be UTF-8.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sidr::data {

struct CsvRecord {
  std::vector<std::string> fields;
  std::vector<std::size_t> columns;  // 1-based column in the file where each field starts
  std::vector<std::size_t> lines;    // 1-based line where each field starts
  std::size_t line = 0;              // line where the record starts
};

class CsvReader {
 public:
  // `text` must outlive the reader; `source` names it in errors. Throws InputError on invalid UTF-8.
  CsvReader(std::string_view text, std::string source);

  // Reads the next record; false at the end of the text. Throws InputError on malformed quoting.
  bool next(CsvRecord& record);
  const std::string& source() const { return source_; }

 private:
  std::string_view text_;
  std::string source_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
  std::size_t line_start_ = 0;  // offset of the current line's first byte
};

// Reads every record of a CSV text (header included).
std::vector<CsvRecord> read_csv(std::string_view text, const std::string& source);

}  // namespace sidr::data
