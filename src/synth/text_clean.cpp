#include "synth/text_clean.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <unordered_map>

#include "util/strings.h"
#include "util/utf8.h"

namespace sidr::synth {
namespace {

const std::unordered_map<std::string, char32_t>& entity_table() {
  static const std::unordered_map<std::string, char32_t> table = {
      // markup and ASCII
      {"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''},
      // Latin-1 (U+00A0..U+00FF)
      {"nbsp", 0xA0}, {"iexcl", 0xA1}, {"cent", 0xA2}, {"pound", 0xA3}, {"curren", 0xA4}, {"yen", 0xA5},
      {"brvbar", 0xA6}, {"sect", 0xA7}, {"uml", 0xA8}, {"copy", 0xA9}, {"ordf", 0xAA}, {"laquo", 0xAB},
      {"not", 0xAC}, {"shy", 0xAD}, {"reg", 0xAE}, {"macr", 0xAF}, {"deg", 0xB0}, {"plusmn", 0xB1},
      {"sup2", 0xB2}, {"sup3", 0xB3}, {"acute", 0xB4}, {"micro", 0xB5}, {"para", 0xB6}, {"middot", 0xB7},
      {"cedil", 0xB8}, {"sup1", 0xB9}, {"ordm", 0xBA}, {"raquo", 0xBB}, {"frac14", 0xBC}, {"frac12", 0xBD},
      {"frac34", 0xBE}, {"iquest", 0xBF}, {"Agrave", 0xC0}, {"Aacute", 0xC1}, {"Acirc", 0xC2}, {"Atilde", 0xC3},
      {"Auml", 0xC4}, {"Aring", 0xC5}, {"AElig", 0xC6}, {"Ccedil", 0xC7}, {"Egrave", 0xC8}, {"Eacute", 0xC9},
      {"Ecirc", 0xCA}, {"Euml", 0xCB}, {"Igrave", 0xCC}, {"Iacute", 0xCD}, {"Icirc", 0xCE}, {"Iuml", 0xCF},
      {"ETH", 0xD0}, {"Ntilde", 0xD1}, {"Ograve", 0xD2}, {"Oacute", 0xD3}, {"Ocirc", 0xD4}, {"Otilde", 0xD5},
      {"Ouml", 0xD6}, {"times", 0xD7}, {"Oslash", 0xD8}, {"Ugrave", 0xD9}, {"Uacute", 0xDA}, {"Ucirc", 0xDB},
      {"Uuml", 0xDC}, {"Yacute", 0xDD}, {"THORN", 0xDE}, {"szlig", 0xDF}, {"agrave", 0xE0}, {"aacute", 0xE1},
      {"acirc", 0xE2}, {"atilde", 0xE3}, {"auml", 0xE4}, {"aring", 0xE5}, {"aelig", 0xE6}, {"ccedil", 0xE7},
      {"egrave", 0xE8}, {"eacute", 0xE9}, {"ecirc", 0xEA}, {"euml", 0xEB}, {"igrave", 0xEC}, {"iacute", 0xED},
      {"icirc", 0xEE}, {"iuml", 0xEF}, {"eth", 0xF0}, {"ntilde", 0xF1}, {"ograve", 0xF2}, {"oacute", 0xF3},
      {"ocirc", 0xF4}, {"otilde", 0xF5}, {"ouml", 0xF6}, {"divide", 0xF7}, {"oslash", 0xF8}, {"ugrave", 0xF9},
      {"uacute", 0xFA}, {"ucirc", 0xFB}, {"uuml", 0xFC}, {"yacute", 0xFD}, {"thorn", 0xFE}, {"yuml", 0xFF},
      // typographic and symbols
      {"OElig", 0x152}, {"oelig", 0x153}, {"Scaron", 0x160}, {"scaron", 0x161}, {"Yuml", 0x178}, {"fnof", 0x192},
      {"circ", 0x2C6}, {"tilde", 0x2DC}, {"ensp", 0x2002}, {"emsp", 0x2003}, {"thinsp", 0x2009},
      {"zwnj", 0x200C}, {"zwj", 0x200D}, {"lrm", 0x200E}, {"rlm", 0x200F}, {"ndash", 0x2013}, {"mdash", 0x2014},
      {"lsquo", 0x2018}, {"rsquo", 0x2019}, {"sbquo", 0x201A}, {"ldquo", 0x201C}, {"rdquo", 0x201D},
      {"bdquo", 0x201E}, {"dagger", 0x2020}, {"Dagger", 0x2021}, {"bull", 0x2022}, {"hellip", 0x2026},
      {"permil", 0x2030}, {"prime", 0x2032}, {"Prime", 0x2033}, {"lsaquo", 0x2039}, {"rsaquo", 0x203A},
      {"euro", 0x20AC}, {"trade", 0x2122}, {"larr", 0x2190}, {"uarr", 0x2191}, {"rarr", 0x2192},
      {"darr", 0x2193}, {"minus", 0x2212}, {"infin", 0x221E}, {"asymp", 0x2248}, {"ne", 0x2260},
      {"le", 0x2264}, {"ge", 0x2265}, {"sdot", 0x22C5},
      // Greek
      {"Alpha", 0x391}, {"Beta", 0x392}, {"Gamma", 0x393}, {"Delta", 0x394}, {"Epsilon", 0x395}, {"Zeta", 0x396},
      {"Eta", 0x397}, {"Theta", 0x398}, {"Iota", 0x399}, {"Kappa", 0x39A}, {"Lambda", 0x39B}, {"Mu", 0x39C},
      {"Nu", 0x39D}, {"Xi", 0x39E}, {"Omicron", 0x39F}, {"Pi", 0x3A0}, {"Rho", 0x3A1}, {"Sigma", 0x3A3},
      {"Tau", 0x3A4}, {"Upsilon", 0x3A5}, {"Phi", 0x3A6}, {"Chi", 0x3A7}, {"Psi", 0x3A8}, {"Omega", 0x3A9},
      {"alpha", 0x3B1}, {"beta", 0x3B2}, {"gamma", 0x3B3}, {"delta", 0x3B4}, {"epsilon", 0x3B5}, {"zeta", 0x3B6},
      {"eta", 0x3B7}, {"theta", 0x3B8}, {"iota", 0x3B9}, {"kappa", 0x3BA}, {"lambda", 0x3BB}, {"mu", 0x3BC},
      {"nu", 0x3BD}, {"xi", 0x3BE}, {"omicron", 0x3BF}, {"pi", 0x3C0}, {"rho", 0x3C1}, {"sigmaf", 0x3C2},
      {"sigma", 0x3C3}, {"tau", 0x3C4}, {"upsilon", 0x3C5}, {"phi", 0x3C6}, {"chi", 0x3C7}, {"psi", 0x3C8},
      {"omega", 0x3C9}};
  return table;
}

// Parses the reference starting at text[pos] == '&'; on success appends its character and returns the length.
std::size_t decode_reference(std::string_view text, std::size_t pos, std::string& out) {
  const std::size_t semi = text.find(';', pos + 1);
  if (semi == std::string_view::npos || semi - pos > 12 || semi == pos + 1) return 0;
  const std::string_view name = text.substr(pos + 1, semi - pos - 1);
  char32_t cp = 0;
  if (name[0] == '#') {
    const bool hex = name.size() > 1 && (name[1] == 'x' || name[1] == 'X');
    const std::string_view digits = name.substr(hex ? 2 : 1);
    if (digits.empty()) return 0;
    for (char c : digits) {
      const bool ok = hex ? std::isxdigit(static_cast<unsigned char>(c)) : std::isdigit(static_cast<unsigned char>(c));
      if (!ok) return 0;
      cp = cp * (hex ? 16 : 10) + static_cast<char32_t>(std::isdigit(static_cast<unsigned char>(c))
                                                          ? c - '0'
                                                          : std::tolower(static_cast<unsigned char>(c)) - 'a' + 10);
      if (cp > 0x10FFFF) return 0;
    }
    if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  } else {
    const auto& table = entity_table();
    auto it = table.find(std::string(name));
    if (it == table.end()) return 0;
    cp = it->second;
  }
  append_utf8(out, cp);
  return semi - pos + 1;
}

const std::set<std::string>& stop_words() {
  static const std::set<std::string> words = {
      "the", "and", "for", "with", "from", "that", "this", "are", "was", "were", "has", "have", "not",
      "you", "your", "our", "its", "all", "any", "can", "use", "used", "into", "onto", "per", "of",
      "to", "in", "on", "at", "by", "or", "an", "a", "as", "is", "it", "be"};
  return words;
}

const std::set<std::string>& unit_words() {
  static const std::set<std::string> words = {
      "pack", "packs", "pcs", "piece", "pieces", "inch", "inches", "lbs", "length", "width", "height",
      "diameter", "size", "count", "set", "sets", "mm", "ft", "feet", "oz", "qty", "quantity", "total", "new"};
  return words;
}

}  // namespace

std::string decode_html_entities(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    if (text[i] == '&') {
      if (std::size_t n = decode_reference(text, i, out)) {
        i += n;
        continue;
      }
    }
    out += text[i++];
  }
  return out;
}

std::string clean_text(std::string_view raw) {
  std::string text(raw);
  // A scraped attribute's tail (`..." />`) is not part of the text.
  static const std::string_view kAttributeTail = "\" />";
  if (ends_with(trim(text), kAttributeTail)) {
    text = std::string(trim(text));
    text.resize(text.size() - kAttributeTail.size());
  }
  // Tags and comments go before the entities are decoded, so a decoded "&lt;" stays text.
  std::string untagged;
  untagged.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    if (text.compare(i, 4, "<!--") == 0) {
      const std::size_t end = text.find("-->", i + 4);
      i = end == std::string::npos ? text.size() : end + 3;
      untagged += ' ';
      continue;
    }
    if (text[i] == '<' && i + 1 < text.size() &&
        (std::isalpha(static_cast<unsigned char>(text[i + 1])) || text[i + 1] == '/')) {
      const std::size_t end = text.find('>', i);
      if (end != std::string::npos) {
        i = end + 1;
        untagged += ' ';
        continue;
      }
    }
    untagged += text[i++];
  }
  const std::string decoded = decode_html_entities(untagged);
  std::string out;
  out.reserve(decoded.size());
  bool space = false;
  for (std::size_t i = 0; i < decoded.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(decoded[i]);
    // ASCII whitespace and U+00A0 (C2 A0) become one space.
    const bool nbsp = c == 0xC2 && i + 1 < decoded.size() && static_cast<unsigned char>(decoded[i + 1]) == 0xA0;
    if (std::isspace(c) || nbsp) {
      if (nbsp) ++i;
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += static_cast<char>(c);
  }
  return out;
}

std::string category_display_name(const std::string& dataset_name) {
  std::string out;
  for (const auto& part : split(dataset_name, '_')) {
    if (!out.empty()) out += ' ';
    out += part == "and" ? "&" : part;
  }
  return out;
}

std::string clean_title(std::string_view title, const std::string& dataset_name) {
  std::string cleaned = clean_text(title);
  if (cleaned == category_display_name(dataset_name) || words(cleaned).empty()) return "";
  return cleaned;
}

std::vector<std::string> words(std::string_view text) {
  std::vector<std::string> out;
  std::string current;
  for (char ch : text) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (c < 0x80 && std::isalnum(c)) {
      current += static_cast<char>(std::tolower(c));
    } else if (!current.empty()) {
      out.push_back(std::move(current));
      current.clear();
    }
  }
  if (!current.empty()) out.push_back(std::move(current));
  return out;
}

bool is_content_word(const std::string& word) {
  return word.size() >= 3 && std::isalpha(static_cast<unsigned char>(word[0])) && !stop_words().count(word) &&
         !unit_words().count(word);
}

std::vector<std::string> content_words(std::string_view text) {
  std::vector<std::string> out;
  for (auto& w : words(text))
    if (is_content_word(w) && std::find(out.begin(), out.end(), w) == out.end()) out.push_back(std::move(w));
  return out;
}

}  // namespace sidr::synth
