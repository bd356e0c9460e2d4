// The item catalog: metadata from item.json, SIDs from index.json, and the SID <-> item maps.
// SIDs collide: one SID string can name several items.
#pragma once
#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <unordered_map>
#include <vector>

#include "data/dataset.h"
#include "data/info_file.h"
#include "data/sid_string.h"

namespace sidr::data {

struct Item {
  std::string id;           // key in index.json / item.json ("0", "1", ...)
  std::string title;
  std::string description;  // raw, as in item.json
  std::string brand;
  std::string categories;
  std::vector<std::string> sid_tokens;  // one per level: {"<a_12>", "<b_200>", "<c_7>"}
  std::string sid;                      // the tokens concatenated
};

// index.json alone: every item's SID tokens (index.json order), the grammar they fix and the sorted token list.
// The Catalog reads it first; tools holding only an index.json (`tokenizer add-sid-tokens`) read it directly.
struct SidIndex {
  struct Entry {
    std::string id;
    std::vector<std::string> sid_tokens;
    std::string sid;
  };
  std::vector<Entry> entries;
  SidGrammar grammar;
  std::vector<std::string> sorted_level_tokens;  // see Catalog::sorted_level_tokens
  // InputError with file/line/field: not an object, no items, a non-canonical id, a level count that differs
  // from the first item's, a token that is not "<x_N>" for its level.
  static SidIndex parse(const std::string& text, const std::string& source);
  static SidIndex load(const std::filesystem::path& index_json);
};

class Catalog {
 public:
  // Loads index.json and item.json (and checks info against them); InputError with file/line/field on bad input.
  static Catalog load(const DatasetPaths& paths);
  // index.json + item.json only (no info file), for tools and tests with a partial layout.
  static Catalog load_index_and_items(const std::filesystem::path& index_json, const std::filesystem::path& item_json);

  const std::vector<Item>& items() const { return items_; }  // index.json order
  const Item* find(const std::string& item_id) const;        // nullptr if unknown
  const Item& at(const std::string& item_id) const;          // InputError if unknown
  const Item* find(std::int64_t item_id) const;              // the CSVs' integer ids
  // Item ids carrying this SID, in index.json order (empty if none).
  const std::vector<std::string>& items_with_sid(const std::string& sid) const;
  bool has_sid(const std::string& sid) const;
  // Distinct SIDs in first-appearance order of index.json.
  const std::vector<std::string>& distinct_sids() const { return distinct_sids_; }
  // The SID grammar index.json fixes: the first item's token count is the level count (every item must
  // match), the codebook size is the largest code + 1.
  const SidGrammar& grammar() const { return grammar_; }
  // THE SID-token list of this catalog: every level token of index.json, sorted with plain string order (the
  // reference's TokenExtender order); tokenizer added tokens, data check and augmentation all read it.
  const std::vector<std::string>& sorted_level_tokens() const { return sorted_level_tokens_; }

  // The reference's description clean-up: empty -> title; "[...]" list literal -> longest non-empty element
  // (title if none); otherwise the string (title if blank).
  static std::string processed_description(const Item& item);

  // The info file's lines in file order (empty when loaded without one).
  const std::vector<InfoLine>& info_lines() const { return info_lines_; }
  // Entries of item.json with no SID in index.json (the reference ignores them).
  std::size_t items_without_sid() const { return items_without_sid_; }

 private:
  std::vector<Item> items_;
  std::unordered_map<std::string, std::size_t> by_id_;
  std::vector<std::int32_t> by_number_;  // item id as a number -> index in items_, -1 if none (ids are dense)
  std::unordered_map<std::string, std::vector<std::string>> by_sid_;
  std::vector<std::string> distinct_sids_;
  std::vector<std::string> sorted_level_tokens_;
  SidGrammar grammar_;
  std::vector<InfoLine> info_lines_;
  std::size_t items_without_sid_ = 0;
};

}  // namespace sidr::data
