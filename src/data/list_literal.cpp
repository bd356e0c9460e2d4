#include "util/utf8.h"
#include "data/list_literal.h"

#include <cctype>
#include <limits>

namespace sidr::data {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}


class Parser {
 public:
  Parser(std::string_view text, const Location& where) : s_(text), where_(where) {}

  std::vector<LiteralValue> parse() {
    skip_space();
    if (pos_ >= s_.size()) fail("empty value, expected a list literal '[...]'");
    if (s_[pos_] != '[') fail("expected '[' to start a list literal");
    ++pos_;
    std::vector<LiteralValue> out;
    skip_space();
    while (true) {
      if (pos_ >= s_.size()) fail("unterminated list: missing ']'");
      if (s_[pos_] == ']') {
        ++pos_;
        break;
      }
      out.push_back(parse_element());
      skip_space();
      if (pos_ >= s_.size()) fail("unterminated list: missing ']'");
      if (s_[pos_] == ',') {
        ++pos_;
        skip_space();
        continue;  // a trailing comma before ']' is valid Python
      }
      if (s_[pos_] != ']') fail("expected ',' or ']' after a list element");
    }
    skip_space();
    if (pos_ != s_.size()) fail("unexpected text after the closing ']'");
    return out;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const { fail_at(pos_, what); }
  [[noreturn]] void fail_at(std::size_t at, const std::string& what) const {
    throw_input_error(where_, "bad list literal at character " + std::to_string(at + 1) + ": " + what);
  }

  void skip_space() {
    while (pos_ < s_.size() && is_space(s_[pos_])) ++pos_;
  }

  LiteralValue parse_element() {
    char c = s_[pos_];
    if (c == ',') fail("empty list element");
    if (c == '-' || c == '+' || is_digit(c)) return parse_int();
    LiteralValue value;
    value.is_string = true;
    if (!starts_string()) {
      if (c == '[' || c == '(' || c == '{') fail("nested containers are not supported");
      fail("expected a string or an integer");
    }
    // Adjacent string literals concatenate: 'a' "b" == 'ab'.
    while (starts_string()) {
      parse_string(value.text);
      skip_space();
    }
    return value;
  }

  bool starts_string() const {
    if (pos_ >= s_.size()) return false;
    char c = s_[pos_];
    if (c == '\'' || c == '"') return true;
    if (c == 'u' || c == 'U') return pos_ + 1 < s_.size() && (s_[pos_ + 1] == '\'' || s_[pos_ + 1] == '"');
    // Prefixes we refuse (raw, bytes, f-strings): report them instead of "expected a string".
    if (c == 'r' || c == 'R' || c == 'b' || c == 'B' || c == 'f' || c == 'F') {
      std::size_t k = pos_ + 1;
      while (k < s_.size() && k < pos_ + 3 && std::isalpha(static_cast<unsigned char>(s_[k]))) ++k;
      if (k < s_.size() && (s_[k] == '\'' || s_[k] == '"')) fail("unsupported string prefix (raw, bytes or f-string)");
    }
    return false;
  }

  void parse_string(std::string& out) {
    if (s_[pos_] == 'u' || s_[pos_] == 'U') ++pos_;
    const std::size_t start = pos_;
    const char quote = s_[pos_++];
    if (pos_ + 1 < s_.size() && s_[pos_] == quote && s_[pos_ + 1] == quote)
      fail_at(start, "triple-quoted strings are not supported");
    while (true) {
      if (pos_ >= s_.size()) fail_at(start, "unterminated string");
      char c = s_[pos_];
      if (c == quote) {
        ++pos_;
        return;
      }
      if (c == '\n' || c == '\r') fail_at(start, "unterminated string (line break inside a quoted string)");
      if (c != '\\') {
        // Copy the run of plain bytes at once.
        std::size_t end = pos_ + 1;
        while (end < s_.size() && s_[end] != quote && s_[end] != '\\' && s_[end] != '\n' && s_[end] != '\r') ++end;
        out.append(s_.data() + pos_, end - pos_);
        pos_ = end;
        continue;
      }
      parse_escape(out);
    }
  }

  // At a backslash inside a string. Python's escape rules for str literals.
  void parse_escape(std::string& out) {
    const std::size_t at = pos_;
    ++pos_;
    if (pos_ >= s_.size()) fail_at(at, "unterminated string (backslash at the end)");
    char c = s_[pos_++];
    switch (c) {
      case '\n': return;  // line continuation
      case '\r':
        if (pos_ < s_.size() && s_[pos_] == '\n') ++pos_;
        return;
      case '\\': out += '\\'; return;
      case '\'': out += '\''; return;
      case '"': out += '"'; return;
      case 'a': out += '\a'; return;
      case 'b': out += '\b'; return;
      case 'f': out += '\f'; return;
      case 'n': out += '\n'; return;
      case 'r': out += '\r'; return;
      case 't': out += '\t'; return;
      case 'v': out += '\v'; return;
      case 'x': append_code_point(out, read_hex(2, at), at); return;
      case 'u': append_code_point(out, read_hex(4, at), at); return;
      case 'U': append_code_point(out, read_hex(8, at), at); return;
      case 'N': fail_at(at, "\\N{...} escapes are not supported");
      default: break;
    }
    if (c >= '0' && c <= '7') {
      std::uint32_t value = static_cast<std::uint32_t>(c - '0');
      for (int k = 0; k < 2 && pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '7'; ++k)
        value = value * 8 + static_cast<std::uint32_t>(s_[pos_++] - '0');
      append_code_point(out, value, at);
      return;
    }
    // Python keeps unknown escapes as they are (backslash included).
    out += '\\';
    --pos_;  // the character after the backslash is ordinary text; the string loop copies it
  }

  std::uint32_t read_hex(int digits, std::size_t at) {
    std::uint32_t value = 0;
    for (int k = 0; k < digits; ++k) {
      int h = pos_ < s_.size() ? hex_value(s_[pos_]) : -1;
      if (h < 0) fail_at(at, "truncated \\" + std::string(1, s_[at + 1]) + " escape: needs " + std::to_string(digits) +
                                 " hex digits");
      value = value * 16 + static_cast<std::uint32_t>(h);
      ++pos_;
    }
    return value;
  }

  void append_code_point(std::string& out, std::uint32_t cp, std::size_t at) {
    if (cp > 0x10FFFF) fail_at(at, "escape beyond U+10FFFF");
    if (cp >= 0xD800 && cp <= 0xDFFF) fail_at(at, "escape names a UTF-16 surrogate, which UTF-8 cannot hold");
    append_utf8(out, cp);
  }

  LiteralValue parse_int() {
    const std::size_t start = pos_;
    bool negative = false;
    if (s_[pos_] == '-' || s_[pos_] == '+') {
      negative = s_[pos_] == '-';
      ++pos_;
      skip_space();  // Python allows "- 5"
    }
    if (pos_ >= s_.size() || !is_digit(s_[pos_])) fail_at(start, "expected digits after the sign");
    const std::size_t digits_start = pos_;
    // Accumulate as a negative number so that INT64_MIN fits.
    std::int64_t value = 0;
    bool nonzero_seen = false, leading_zero = false;
    while (pos_ < s_.size() && (is_digit(s_[pos_]) || s_[pos_] == '_')) {
      char c = s_[pos_];
      if (c == '_') {
        if (pos_ + 1 >= s_.size() || !is_digit(s_[pos_ + 1])) fail("'_' in an integer must sit between digits");
        ++pos_;
        continue;
      }
      int d = c - '0';
      if (pos_ == digits_start && d == 0) leading_zero = true;
      if (d != 0) nonzero_seen = true;
      if (value < (std::numeric_limits<std::int64_t>::min() + d) / 10) fail_at(start, "integer out of range");
      value = value * 10 - d;
      ++pos_;
    }
    if (leading_zero && nonzero_seen) fail_at(start, "leading zeros in an integer are not allowed");
    if (pos_ < s_.size() && (s_[pos_] == '.' || s_[pos_] == 'e' || s_[pos_] == 'E' || s_[pos_] == 'j'))
      fail_at(start, "only integers and strings are supported");
    if (pos_ < s_.size() && !is_space(s_[pos_]) && s_[pos_] != ',' && s_[pos_] != ']')
      fail("expected ',' or ']' after an integer");
    if (!negative && value == std::numeric_limits<std::int64_t>::min()) fail_at(start, "integer out of range");
    LiteralValue out;
    out.number = negative ? value : -value;
    return out;
  }

  std::string_view s_;
  const Location& where_;
  std::size_t pos_ = 0;
};

}  // namespace

std::vector<LiteralValue> parse_list_literal(std::string_view text, const Location& where) {
  return Parser(text, where).parse();
}

std::vector<std::string> parse_string_list(std::string_view text, const Location& where) {
  std::vector<LiteralValue> values = parse_list_literal(text, where);
  std::vector<std::string> out;
  out.reserve(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!values[i].is_string)
      throw_input_error(where, "bad list literal: element " + std::to_string(i + 1) + " is an integer, expected a string");
    out.push_back(std::move(values[i].text));
  }
  return out;
}

std::vector<std::int64_t> parse_int_list(std::string_view text, const Location& where) {
  std::vector<LiteralValue> values = parse_list_literal(text, where);
  std::vector<std::int64_t> out;
  out.reserve(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (values[i].is_string)
      throw_input_error(where, "bad list literal: element " + std::to_string(i + 1) + " is a string, expected an integer");
    out.push_back(values[i].number);
  }
  return out;
}

std::size_t utf8_length(std::string_view text) {
  std::size_t n = 0;
  for (char c : text)
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  return n;
}

}  // namespace sidr::data
