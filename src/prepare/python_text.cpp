#include "prepare/python_text.h"

#include <algorithm>
#include <cstdint>
#include <unordered_map>

#include <utf8proc.h>

#include "util/utf8.h"

namespace sidr::prepare {
namespace {

struct EntityEntry {
  const char* name;
  const char* text;
};
struct CharrefEntry {
  char32_t code;
  const char* text;
};
#include "prepare/python_text_tables.inc"

// Decodes one code point of valid UTF-8 at text[i]; advances i. Invalid bytes come back as themselves (the
// readers reject invalid UTF-8 before text gets here, so this only keeps the functions total).
char32_t next_code_point(std::string_view text, std::size_t& i) {
  auto byte = static_cast<unsigned char>(text[i]);
  int length = byte < 0x80 ? 1 : (byte >> 5) == 0x6 ? 2 : (byte >> 4) == 0xE ? 3 : (byte >> 3) == 0x1E ? 4 : 1;
  if (i + length > text.size()) length = 1;
  char32_t code = length == 1 ? byte : byte & (0x7F >> length);
  for (int k = 1; k < length; ++k) code = (code << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
  i += length;
  return code;
}

// Python's escape of a non-printable character in repr(): \xhh, \uhhhh or \Uhhhhhhhh (lowercase hex).
std::string fmt_hex(char32_t code) {
  static const char* digits = "0123456789abcdef";
  int width = code < 0x100 ? 2 : code < 0x10000 ? 4 : 8;
  std::string out = width == 2 ? "\\x" : width == 4 ? "\\u" : "\\U";
  for (int shift = (width - 1) * 4; shift >= 0; shift -= 4) out += digits[(code >> shift) & 0xF];
  return out;
}

bool python_isprintable(char32_t code) {
  if (code == ' ') return true;
  switch (utf8proc_category(static_cast<utf8proc_int32_t>(code))) {
    case UTF8PROC_CATEGORY_CC: case UTF8PROC_CATEGORY_CF: case UTF8PROC_CATEGORY_CS: case UTF8PROC_CATEGORY_CO:
    case UTF8PROC_CATEGORY_CN: case UTF8PROC_CATEGORY_ZL: case UTF8PROC_CATEGORY_ZP: case UTF8PROC_CATEGORY_ZS:
      return false;
    default:
      return true;
  }
}

const std::unordered_map<std::string_view, std::string_view>& html5_entities() {
  static const auto* table = [] {
    auto* map = new std::unordered_map<std::string_view, std::string_view>();
    for (const EntityEntry& entry : kHtml5Entities) map->emplace(entry.name, entry.text);
    return map;
  }();
  return *table;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// The replacement of one numeric reference (html._replace_charref).
void append_charref(std::string& out, std::string_view digits, int base) {
  // Python's int() has no overflow; anything past U+10FFFF is replaced the same way, so saturate.
  std::uint64_t value = 0;
  for (char c : digits) {
    int digit = is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10;
    value = std::min<std::uint64_t>(value * base + digit, 0x7FFFFFFF);
  }
  for (const CharrefEntry& entry : kInvalidCharrefs)
    if (entry.code == value) {
      out += entry.text;
      return;
    }
  if ((value >= 0xD800 && value <= 0xDFFF) || value > 0x10FFFF) {
    out += "\xEF\xBF\xBD";  // U+FFFD
    return;
  }
  if (std::find(std::begin(kInvalidCodepoints), std::end(kInvalidCodepoints), value) != std::end(kInvalidCodepoints))
    return;
  append_utf8(out, static_cast<char32_t>(value));
}

void replace_all(std::string& text, std::string_view from, std::string_view to) {
  std::string out;
  std::size_t start = 0;
  for (std::size_t at; (at = text.find(from, start)) != std::string::npos; start = at + from.size()) {
    out.append(text, start, at - start);
    out += to;
  }
  out.append(text, start, std::string::npos);
  text = std::move(out);
}

}  // namespace

bool python_isspace(char32_t code_point) {
  return std::find(std::begin(kPythonWhitespace), std::end(kPythonWhitespace), code_point) !=
         std::end(kPythonWhitespace);
}

std::string python_strip(std::string_view text) {
  std::size_t begin = 0, end = text.size();
  while (begin < end) {
    std::size_t next = begin;
    if (!python_isspace(next_code_point(text, next))) break;
    begin = next;
  }
  while (end > begin) {
    std::size_t start = end - 1;  // back up to the first byte of the last code point
    while (start > begin && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) --start;
    std::size_t probe = start;
    if (!python_isspace(next_code_point(text, probe))) break;
    end = start;
  }
  return std::string(text.substr(begin, end - begin));
}

char32_t python_next_code_point(std::string_view utf8, std::size_t& i) { return next_code_point(utf8, i); }

bool python_is_word_char(char32_t code) {
  if (code < 0x80) return (code >= 'a' && code <= 'z') || (code >= 'A' && code <= 'Z') || (code >= '0' && code <= '9') ||
                          code == '_';
  switch (utf8proc_category(static_cast<utf8proc_int32_t>(code))) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
      return true;
    default:
      return false;
  }
}

std::string python_lower(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  std::vector<char32_t> codes;
  for (std::size_t i = 0; i < utf8.size();) codes.push_back(next_code_point(utf8, i));
  auto is_letter = [](char32_t c) {
    auto category = utf8proc_category(static_cast<utf8proc_int32_t>(c));
    return category >= UTF8PROC_CATEGORY_LU && category <= UTF8PROC_CATEGORY_LO;
  };
  for (std::size_t k = 0; k < codes.size(); ++k) {
    const char32_t c = codes[k];
    if (c < 0x80) {
      out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : static_cast<char>(c));
    } else if (c == 0x130) {
      out += "i\xCC\x87";  // U+0069 U+0307
    } else if (c == 0x3A3) {
      bool final_sigma = k > 0 && is_letter(codes[k - 1]) && (k + 1 == codes.size() || !is_letter(codes[k + 1]));
      append_utf8(out, final_sigma ? 0x3C2 : 0x3C3);
    } else {
      append_utf8(out, static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(c))));
    }
  }
  return out;
}

std::size_t python_len(std::string_view utf8) {
  return static_cast<std::size_t>(
      std::count_if(utf8.begin(), utf8.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string python_repr(std::string_view utf8) {
  bool has_single = utf8.find('\'') != std::string_view::npos;
  bool has_double = utf8.find('"') != std::string_view::npos;
  char quote = has_single && !has_double ? '"' : '\'';
  std::string out(1, quote);
  for (std::size_t i = 0; i < utf8.size();) {
    std::size_t start = i;
    char32_t code = next_code_point(utf8, i);
    if (code == static_cast<char32_t>(quote) || code == '\\') {
      out += '\\';
      out += static_cast<char>(code);
    } else if (code == '\t') {
      out += "\\t";
    } else if (code == '\n') {
      out += "\\n";
    } else if (code == '\r') {
      out += "\\r";
    } else if (code < 0x20 || code == 0x7F) {
      out += fmt_hex(code);
    } else if (code < 0x7F) {
      out += static_cast<char>(code);
    } else if (python_isprintable(code)) {
      out.append(utf8, start, i - start);
    } else {
      out += fmt_hex(code);
    }
  }
  out += quote;
  return out;
}

std::string python_repr_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ", ";
    out += python_repr(items[i]);
  }
  out += ']';
  return out;
}

std::string html_unescape(std::string_view text) {
  if (text.find('&') == std::string_view::npos) return std::string(text);
  const auto& entities = html5_entities();
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] != '&') {
      out += text[i++];
      continue;
    }
    // The pattern &(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)
    std::size_t j = i + 1;
    if (j < text.size() && text[j] == '#') {
      bool hex = j + 1 < text.size() && (text[j + 1] == 'x' || text[j + 1] == 'X');
      std::size_t digits_begin = j + (hex ? 2 : 1), k = digits_begin;
      while (k < text.size() && (hex ? is_hex(text[k]) : is_digit(text[k]))) ++k;
      if (k == digits_begin) {  // no match here: '&' is literal
        out += text[i++];
        continue;
      }
      append_charref(out, text.substr(digits_begin, k - digits_begin), hex ? 16 : 10);
      i = k < text.size() && text[k] == ';' ? k + 1 : k;
      continue;
    }
    // A name of 1..32 characters (code points) from [^\t\n\f <&#;], then an optional ';'.
    std::size_t k = j;
    int characters = 0;
    while (k < text.size() && characters < 32) {
      char c = text[k];
      if (c == '\t' || c == '\n' || c == '\f' || c == ' ' || c == '<' || c == '&' || c == '#' || c == ';') break;
      std::size_t next = k;
      next_code_point(text, next);
      k = next;
      ++characters;
    }
    if (characters == 0) {
      out += text[i++];
      continue;
    }
    std::size_t end = k < text.size() && text[k] == ';' ? k + 1 : k;
    std::string_view name = text.substr(j, end - j);
    if (auto found = entities.find(name); found != entities.end()) {
      out += found->second;
    } else {
      // The longest prefix (at least 2 bytes... Python slices characters; names in the table are ASCII) that
      // is a legacy entity, then the rest as is.
      bool replaced = false;
      for (std::size_t x = name.size() - 1; x > 1; --x) {
        if (auto prefix = entities.find(name.substr(0, x)); prefix != entities.end()) {
          out += prefix->second;
          out += name.substr(x);
          replaced = true;
          break;
        }
      }
      if (!replaced) {
        out += '&';
        out += name;
      }
    }
    i = end;
  }
  return out;
}

std::string clean_text(std::string_view text) {
  // re.sub(r'<[^>]+>', '', text)
  std::string untagged;
  untagged.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    if (text[i] == '<') {
      std::size_t close = text.find('>', i + 1);
      if (close != std::string_view::npos && close > i + 1) {
        i = close + 1;
        continue;
      }
    }
    untagged += text[i++];
  }
  std::string unescaped = html_unescape(untagged);
  replace_all(unescaped, "&quot;", "\"");
  replace_all(unescaped, "&amp;", "&");
  // re.sub(r'\s+', ' ', text), then strip()
  std::string collapsed;
  collapsed.reserve(unescaped.size());
  bool in_space = false;
  for (std::size_t i = 0; i < unescaped.size();) {
    std::size_t start = i;
    if (python_isspace(next_code_point(unescaped, i))) {
      if (!in_space) collapsed += ' ';
      in_space = true;
    } else {
      collapsed.append(unescaped, start, i - start);
      in_space = false;
    }
  }
  return python_strip(collapsed);
}

std::optional<std::string> clean_title(std::string_view raw_title) {
  if (raw_title.find("<span id") != std::string_view::npos) return std::nullopt;
  std::string title(raw_title);
  replace_all(title, "&quot;", "\"");
  replace_all(title, "&amp;", "&");
  std::string_view view = title;
  while (!view.empty() && view.front() == ' ') view.remove_prefix(1);
  while (!view.empty() && view.back() == ' ') view.remove_suffix(1);
  while (!view.empty() && view.front() == '"') view.remove_prefix(1);
  while (!view.empty() && view.back() == '"') view.remove_suffix(1);
  return std::string(view);
}

bool kept_title(std::string_view cleaned_title) {
  std::size_t words = static_cast<std::size_t>(std::count(cleaned_title.begin(), cleaned_title.end(), ' ')) + 1;
  return python_len(cleaned_title) > 1 && words <= 20;
}

}  // namespace sidr::prepare
