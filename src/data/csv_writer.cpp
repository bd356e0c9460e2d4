#include "data/csv_writer.h"

namespace sidr::data {

std::string csv_field(std::string_view field) {
  if (field.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(field);
  std::string out;
  out.reserve(field.size() + 2);
  out += '"';
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string csv_record(const std::vector<std::string>& fields) {
  std::string out;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i) out += ',';
    out += csv_field(fields[i]);
  }
  // Python's writer quotes a record made of one empty field, so that it is not read as a blank line.
  if (fields.size() == 1 && fields[0].empty()) out = "\"\"";
  out += '\n';
  return out;
}

}  // namespace sidr::data
