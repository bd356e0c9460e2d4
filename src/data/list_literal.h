// A parser for the Python list literals in the reference CSVs ("['a', \"b\"]", "[1, 2]"), i.e. what the
// reference's eval() accepts there: a list of string literals (single- or double-quoted, u/U prefix allowed,
// Python escapes incl. \x, \u, \U, octal and line continuation, adjacent literals concatenated) and integers
// (optional sign, no leading zeros, `_` separators), with a trailing comma and any whitespace allowed.
// Anything else (raw/bytes/triple-quoted strings, floats, nested lists, \N{...}) is an InputError.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"

namespace sidr::data {

struct LiteralValue {
  bool is_string = false;
  std::string text;        // when is_string (UTF-8)
  std::int64_t number = 0; // otherwise
};

// `where` names the file/line/column/field of the value; errors add the character offset inside the value.
std::vector<LiteralValue> parse_list_literal(std::string_view text, const Location& where);
// Same, but every element must be a string / an integer.
std::vector<std::string> parse_string_list(std::string_view text, const Location& where);
std::vector<std::int64_t> parse_int_list(std::string_view text, const Location& where);

// Number of Unicode code points in valid UTF-8 text (Python's len()).
std::size_t utf8_length(std::string_view text);

}  // namespace sidr::data
