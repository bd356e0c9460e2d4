// Python 3.11 string semantics that MiniOneRec's data scripts rely on, reproduced on UTF-8 text:
// str.isspace / re's \s, str.strip(), repr() of a list of str, html.unescape, and the two cleaning rules of
// data/amazon18_data_process.py (reference §2.1): the title rule and clean_text.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sidr::prepare {

// str.isspace() of one code point (also what re's \s matches in a str pattern).
bool python_isspace(char32_t code_point);

// str.strip() with no argument (Unicode whitespace at both ends).
std::string python_strip(std::string_view text);

// len() of a str: the number of code points of valid UTF-8.
std::size_t python_len(std::string_view utf8);

// Decodes the code point at utf8[i] and advances i (invalid bytes come back one by one as themselves).
char32_t python_next_code_point(std::string_view utf8, std::size_t& i);

// Whether re's \w matches the code point in a str pattern: str.isalnum() or '_' (Unicode letters L*, numbers N*).
bool python_is_word_char(char32_t code_point);

// str.lower(): Unicode lower-case mapping (utf8proc's), with the full mapping of U+0130 (-> "i\u0307") and the
// final-sigma rule approximated as "after a letter, not before one".
std::string python_lower(std::string_view utf8);

// repr() of a str (quote choice, escapes, non-printable characters as \x, \u, \U).
std::string python_repr(std::string_view utf8);
// repr() of a list of str: "['a', 'b']".
std::string python_repr_list(const std::vector<std::string>& items);

// html.unescape: HTML5 named references (with the legacy ones that need no ';'), numeric references with
// the HTML5 replacements for invalid ones.
std::string html_unescape(std::string_view text);

// clean_text(text) of amazon18_data_process.py on an already str()'ed value: remove <...> tags, html.unescape,
// replace &quot; and &amp;, collapse \s+ to one space, strip.
std::string clean_text(std::string_view text);

// The title rule: nullopt if the raw title contains "<span id"; otherwise the title with &quot; -> ", &amp; -> &,
// spaces stripped, then double quotes stripped (both ends). kept_title() says whether that cleaned title is kept
// (more than 1 code point and at most 20 space-separated words, counted as Python's split(" ") does).
std::optional<std::string> clean_title(std::string_view raw_title);
bool kept_title(std::string_view cleaned_title);

}  // namespace sidr::prepare
