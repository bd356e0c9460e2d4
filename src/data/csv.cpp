#include "data/csv.h"

#include "util/error.h"
#include "util/json.h"
#include "util/utf8.h"

namespace sidr::data {

CsvReader::CsvReader(std::string_view text, std::string source) : text_(text), source_(std::move(source)) {
  std::size_t bad = first_invalid_utf8(text_);
  if (bad != std::string_view::npos) {
    Location where{source_, 0, 0, ""};
    line_and_column(text_, bad, where.line, where.column);
    throw_input_error(where, "invalid UTF-8");
  }
  // A UTF-8 byte order mark is not part of the first field.
  if (text_.size() >= 3 && text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = line_start_ = 3;
}

bool CsvReader::next(CsvRecord& record) {
  record.fields.clear();
  record.columns.clear();
  record.lines.clear();
  if (pos_ >= text_.size()) return false;
  record.line = line_;
  const std::size_t n = text_.size();
  while (true) {
    // One field starts at pos_.
    const std::size_t field_line = line_;
    const std::size_t field_column = pos_ - line_start_ + 1;
    std::string value;
    if (pos_ < n && text_[pos_] == '"') {
      ++pos_;
      while (true) {
        std::size_t quote = text_.find('"', pos_);
        if (quote == std::string_view::npos) {
          throw_input_error({source_, field_line, field_column, ""},
                            "unbalanced quote: the quoted field opened here is never closed");
        }
        // Track line breaks inside the quoted field.
        for (std::size_t k = pos_; k < quote; ++k) {
          if (text_[k] == '\n') {
            ++line_;
            line_start_ = k + 1;
          }
        }
        value.append(text_.data() + pos_, quote - pos_);
        pos_ = quote + 1;
        if (pos_ < n && text_[pos_] == '"') {  // "" is one quote
          value += '"';
          ++pos_;
          continue;
        }
        break;
      }
      if (pos_ < n && text_[pos_] != ',' && text_[pos_] != '\n' &&
          !(text_[pos_] == '\r' && pos_ + 1 < n && text_[pos_ + 1] == '\n')) {
        throw_input_error({source_, line_, pos_ - line_start_ + 1, ""},
                          "unexpected character after a closing quote (a quote inside a quoted field must be doubled)");
      }
    } else {
      std::size_t end = pos_;
      while (end < n && text_[end] != ',' && text_[end] != '\n') {
        if (text_[end] == '"') {
          throw_input_error({source_, line_, end - line_start_ + 1, ""},
                            "quote inside an unquoted field (the field must be quoted and the quote doubled)");
        }
        ++end;
      }
      std::size_t stop = end;
      if (end < n && text_[end] == '\n' && stop > pos_ && text_[stop - 1] == '\r') --stop;  // CRLF
      value.assign(text_.data() + pos_, stop - pos_);
      pos_ = end;
    }
    record.fields.push_back(std::move(value));
    record.columns.push_back(field_column);
    record.lines.push_back(field_line);
    if (pos_ >= n) return true;  // last record without a final newline
    if (text_[pos_] == ',') {
      ++pos_;
      continue;
    }
    if (text_[pos_] == '\r') ++pos_;
    // text_[pos_] == '\n'
    ++pos_;
    ++line_;
    line_start_ = pos_;
    return true;
  }
}

std::vector<CsvRecord> read_csv(std::string_view text, const std::string& source) {
  CsvReader reader(text, source);
  std::vector<CsvRecord> records;
  CsvRecord record;
  while (reader.next(record)) records.push_back(std::move(record));
  return records;
}

}  // namespace sidr::data
