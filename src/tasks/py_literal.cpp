#include "util/utf8.h"
#include "tasks/py_literal.h"

#include <cctype>
#include <cstdlib>

#include "util/error.h"

namespace sidr::tasks {
namespace {


class Parser {
 public:
  Parser(std::string_view text, const std::string& what) : text_(text), what_(what) {}

  Json parse_document() {
    Json value = parse_value();
    skip_space();
    if (pos_ != text_.size()) fail("unexpected text after the literal");
    return value;
  }

 private:
  [[noreturn]] void fail(const std::string& message) {
    throw InputError(what_ + ": python literal at offset " + std::to_string(pos_) + ": " + message);
  }

  void skip_space() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }

  bool consume(char c) {
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  Json parse_value() {
    skip_space();
    if (pos_ >= text_.size()) fail("unexpected end");
    char c = text_[pos_];
    if (c == '[') return parse_sequence('[', ']');
    if (c == '(') return parse_sequence('(', ')');
    if (c == '{') return parse_dict();
    if (c == '\'' || c == '"') return parse_string_concat();
    if ((c == 'r' || c == 'u' || c == 'b' || c == 'R' || c == 'U' || c == 'B') && pos_ + 1 < text_.size() &&
        (text_[pos_ + 1] == '\'' || text_[pos_ + 1] == '"'))
      return parse_string_concat();
    if (c == '-' || c == '+' || std::isdigit(static_cast<unsigned char>(c))) return parse_number();
    if (text_.substr(pos_, 4) == "True") return pos_ += 4, Json(true);
    if (text_.substr(pos_, 5) == "False") return pos_ += 5, Json(false);
    if (text_.substr(pos_, 4) == "None") return pos_ += 4, Json(nullptr);
    fail(std::string("unexpected character '") + c + "'");
  }

  Json parse_sequence(char open, char close) {
    ++pos_;  // open
    Json array = Json::array();
    if (consume(close)) return array;
    while (true) {
      array.push_back(parse_value());
      if (consume(close)) return array;
      if (!consume(',')) fail(std::string("expected ',' or '") + close + "'");
      if (consume(close)) return array;  // trailing comma
    }
  }

  Json parse_dict() {
    ++pos_;
    Json object = Json::object();
    if (consume('}')) return object;
    while (true) {
      Json key = parse_value();
      if (!key.is_string()) fail("dict keys must be strings");
      if (!consume(':')) fail("expected ':'");
      object[key.get<std::string>()] = parse_value();
      if (consume('}')) return object;
      if (!consume(',')) fail("expected ',' or '}'");
      if (consume('}')) return object;
    }
  }

  Json parse_number() {
    std::size_t start = pos_;
    if (text_[pos_] == '-' || text_[pos_] == '+') ++pos_;
    bool is_float = false;
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (std::isdigit(static_cast<unsigned char>(c)) || c == '_') {
        ++pos_;
      } else if (c == '.' || c == 'e' || c == 'E' || ((c == '-' || c == '+') && is_float)) {
        is_float = true;
        ++pos_;
      } else {
        break;
      }
    }
    std::string digits;
    for (char c : text_.substr(start, pos_ - start))
      if (c != '_') digits += c;
    if (digits.empty() || digits == "-" || digits == "+") fail("bad number");
    if (is_float) return Json(std::strtod(digits.c_str(), nullptr));
    return Json(std::strtoll(digits.c_str(), nullptr, 10));
  }

  // Adjacent string literals concatenate, as in Python.
  Json parse_string_concat() {
    std::string out = parse_string();
    while (true) {
      std::size_t save = pos_;
      skip_space();
      if (pos_ < text_.size() && (text_[pos_] == '\'' || text_[pos_] == '"')) {
        out += parse_string();
      } else {
        pos_ = save;
        break;
      }
    }
    return Json(out);
  }

  std::uint32_t hex_value(std::size_t digits) {
    if (pos_ + digits > text_.size()) fail("truncated escape");
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < digits; ++i) {
      char c = text_[pos_++];
      v <<= 4;
      if (c >= '0' && c <= '9') v |= c - '0';
      else if (c >= 'a' && c <= 'f') v |= c - 'a' + 10;
      else if (c >= 'A' && c <= 'F') v |= c - 'A' + 10;
      else fail("bad hex digit in escape");
    }
    return v;
  }

  std::string parse_string() {
    bool raw = false;
    while (pos_ < text_.size() && std::isalpha(static_cast<unsigned char>(text_[pos_]))) {
      if (text_[pos_] == 'r' || text_[pos_] == 'R') raw = true;
      ++pos_;
    }
    const char quote = text_[pos_];
    bool triple = text_.substr(pos_, 3) == std::string(3, quote);
    pos_ += triple ? 3 : 1;
    std::string out;
    while (true) {
      if (pos_ >= text_.size()) fail("unterminated string");
      char c = text_[pos_];
      if (c == quote) {
        if (!triple) {
          ++pos_;
          return out;
        }
        if (text_.substr(pos_, 3) == std::string(3, quote)) {
          pos_ += 3;
          return out;
        }
      }
      if (c == '\\' && !raw) {
        if (pos_ + 1 >= text_.size()) fail("unterminated escape");
        char e = text_[pos_ + 1];
        pos_ += 2;
        switch (e) {
          case '\\': out += '\\'; break;
          case '\'': out += '\''; break;
          case '"': out += '"'; break;
          case 'n': out += '\n'; break;
          case 't': out += '\t'; break;
          case 'r': out += '\r'; break;
          case 'a': out += '\a'; break;
          case 'b': out += '\b'; break;
          case 'f': out += '\f'; break;
          case 'v': out += '\v'; break;
          case '0': out += '\0'; break;
          case '\n': break;  // line continuation
          case 'x': append_utf8(out, hex_value(2)); break;
          case 'u': append_utf8(out, hex_value(4)); break;
          case 'U': append_utf8(out, hex_value(8)); break;
          default:
            out += '\\';
            out += e;
        }
        continue;
      }
      if (c == '\\' && raw && pos_ + 1 < text_.size()) {
        out += c;
        out += text_[pos_ + 1];
        pos_ += 2;
        continue;
      }
      if (!triple && c == '\n') fail("newline in string");
      out += c;
      ++pos_;
    }
  }

  std::string_view text_;
  const std::string& what_;
  std::size_t pos_ = 0;
};

}  // namespace

Json parse_python_literal(std::string_view text, const std::string& what) {
  return Parser(text, what).parse_document();
}

}  // namespace sidr::tasks
