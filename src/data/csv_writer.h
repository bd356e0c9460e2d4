// Writing CSV as pandas' DataFrame.to_csv(index=False) does (it hands rows to Python's csv.writer with
// QUOTE_MINIMAL, '"' as quote, doubled quotes, "\n" between records): a field is quoted only when it holds a
// ',', a '"' or a line break, and a '"' inside is doubled. One departure: a bare '\r' is quoted too (Python's
// writer leaves it bare, which a CRLF-tolerant reader such as data::read_csv would not read back intact).
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace sidr::data {

// One field, quoted if it needs to be.
std::string csv_field(std::string_view field);
// One record: fields joined by ',' and ended by '\n'.
std::string csv_record(const std::vector<std::string>& fields);

}  // namespace sidr::data
