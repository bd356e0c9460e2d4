// Reading Amazon 2018 reviews and metadata (JSON lines, plain or .gz) the way data/amazon18_data_process.py
// reads them (reference §2.1), or the 2023 layout mapped onto the same rules (amazon_layout.h), in bounded memory: metadata is streamed twice (titles first, then the text of
// the items that survive), reviews once into the compact InteractionTable.
//
// Bad lines are InputErrors naming file, line and field: broken JSON, a line that is not an object, a missing
// or non-string item / user key, a missing or non-integer time, a non-string `title` or brand field, a
// `description` that is neither a string nor a list of strings (field names: the layout's).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "prepare/amazon_layout.h"
#include "prepare/interaction_table.h"
#include "prepare/item_text.h"

namespace sidr::prepare {

struct MetaTitles {
  std::unordered_map<std::string, std::string> title;  // item key -> kept, cleaned title (the last kept one wins)
  std::uint64_t lines = 0;
  std::uint64_t bytes = 0;
  std::uint64_t dropped = 0;  // metadata lines whose title is missing or fails the rule
};

// Pass 1 over the metadata: the title rule.
MetaTitles read_amazon18_titles(const std::string& meta_path, const AmazonLayout& layout);

// The reviews whose item has a kept title and whose time lies in [earliest, end] (both optional).
// Times are in seconds whatever the layout's unit.
InteractionTable read_amazon18_reviews(const std::string& reviews_path, const MetaTitles& titles,
                                       std::optional<std::int64_t> earliest, std::optional<std::int64_t> end,
                                       const AmazonLayout& layout);

// Pass 2 over the metadata: item.json's fields for the final items (`asins`, in final id order), from the last
// metadata line of each asin, as create_item_features does.
std::vector<ItemText> read_amazon18_item_text(const std::string& meta_path, const std::vector<std::string>& asins,
                                              const MetaTitles& titles, const AmazonLayout& layout);

}  // namespace sidr::prepare
