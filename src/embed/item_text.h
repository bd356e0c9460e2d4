// The text MiniOneRec embeds per item (reference minionerec.md §4, rq/text2emb): clean_text of the title, then of
// the description (item.json's raw string, so a list literal keeps its brackets), the non-empty ones joined by a
// space, "unknown item" when both are empty.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "data/catalog.h"

namespace sidr::embed {

// §4's clean_text on a str value: str.strip(), html.unescape, remove tags </?\w+[^>]*>, delete '"', '\n', '\r',
// replace the trailing run of '.' with exactly one '.' (the first character is never removed), and "" when the
// result has 2000 code points or more.
std::string text2emb_clean_text(std::string_view raw);

// title + description as §4 builds it.
std::string item_embedding_text(const data::Item& item);

// One text per item, rows in the order given.
std::vector<std::string> item_embedding_texts(const std::vector<data::Item>& items);

}  // namespace sidr::embed
