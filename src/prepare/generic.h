// The generic input: `interactions.csv` (columns user, item, timestamp: integer Unix seconds) and `items.csv`
// (columns item, title and optionally description, brand, categories), RFC 4180 CSV with a header, columns found
// by name. An item is kept when its title is not blank after strip() (the last row of an item wins); reviews of
// other items are dropped, as the Amazon title rule drops them. Everything after reading (window, k-core,
// ids, samples, split, outputs) is the Amazon 2018 path.
#pragma once
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "prepare/interaction_table.h"
#include "prepare/item_text.h"

namespace sidr::prepare {

struct GenericItems {
  std::unordered_map<std::string, ItemText> items;  // item -> text, titled items only
  std::uint64_t rows = 0;
  std::uint64_t dropped = 0;  // rows with a blank title
};

GenericItems read_generic_items(const std::string& path);

InteractionTable read_generic_interactions(const std::string& path, const GenericItems& items,
                                           std::optional<std::int64_t> earliest, std::optional<std::int64_t> end);

}  // namespace sidr::prepare
