// NAME.item.json on its own (no index.json yet: item embeddings are made before SIDs exist). Items come back as
// rows in item-id order; the ids must be exactly 0..N-1, each an object whose "title" is a string and whose
// optional description/brand/categories are strings. Anything else is an InputError naming the file, the line of
// the item and the field.
#pragma once
#include <filesystem>
#include <vector>

#include "data/catalog.h"

namespace sidr::data {

// Row i is item id i (Item::id = "i"; sid fields empty).
std::vector<Item> read_item_json(const std::filesystem::path& item_json);

}  // namespace sidr::data
