// Python's repr() of the values the reference CSVs hold in their list columns (the inverse of
// data/list_literal.h): repr(str), repr(list of str), repr(list of int). The shipped CSVs' 135,972 list cells
// are exactly repr() of their parsed values, which the tests check byte for byte.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sidr::data {

// repr(s) for valid UTF-8 text: single quotes unless the text holds a ' and no ", escapes \\, the quote,
// \t \n \r, \xNN for other control characters, and \xNN / \uNNNN / \UNNNNNNNN for code points that Python's
// str.isprintable() rejects (categories Cc, Cf, Cs, Co, Cn, Zl, Zp, and Zs other than ' ').
std::string python_repr(std::string_view text);
std::string python_repr(const std::vector<std::string>& list);   // "['a', 'b']", "[]"
std::string python_repr(const std::vector<std::int64_t>& list);  // "[1, 2]"

}  // namespace sidr::data
