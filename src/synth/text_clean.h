// Catalog text as the generator uses it: HTML entities decoded, tags and scraped-attribute junk removed, junk
// titles (the store's category name, such as `Industrial & Scientific" />`) dropped, and the word rules that
// decide what a title "shares" with another (the same rules the leak check and its Python twin use).
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace sidr::synth {

// HTML character references: the named ones of HTML 4 (Latin-1, symbols, Greek, typographic) plus &apos;, and
// numeric &#NN; / &#xHH;. Unknown names and malformed references are left as they are (Python's html.unescape
// decodes a superset; tests/synth/check_corpus.py cleans with it, and agrees on the whole shipped corpus).
std::string decode_html_entities(std::string_view text);

// Entities decoded, tags ("<br>", "<!-- ... -->") removed, a trailing `" />` (a scraped attribute) cut, runs of
// whitespace made one space, trimmed.
std::string clean_text(std::string_view text);

// The store's name for the category: "Industrial_and_Scientific" -> "Industrial & Scientific".
std::string category_display_name(const std::string& dataset_name);

// A title cleaned; empty when it is junk: nothing left, or nothing but the category's display name.
std::string clean_title(std::string_view title, const std::string& dataset_name);

// Words: maximal runs of ASCII letters and digits, lower-cased, in text order.
std::vector<std::string> words(std::string_view text);
// A word that carries meaning: at least 3 characters, starting with a letter, not a stop word ("the", "with")
// and not a unit or packaging word ("pack", "inch", "lbs", "length").
bool is_content_word(const std::string& word);
// The distinct content words of a text, in first-appearance order.
std::vector<std::string> content_words(std::string_view text);

}  // namespace sidr::synth
