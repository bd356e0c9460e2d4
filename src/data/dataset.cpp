#include "data/dataset.h"

#include "util/error.h"

namespace sidr::data {

Split parse_split(const std::string& name) {
  if (name == "train") return Split::Train;
  if (name == "valid") return Split::Valid;
  if (name == "test") return Split::Test;
  throw InputError("unknown split '" + name + "' (expected train, valid or test)");
}

const char* split_name(Split split) {
  switch (split) {
    case Split::Train: return "train";
    case Split::Valid: return "valid";
    case Split::Test: return "test";
  }
  return "?";
}

// The reference's file names carry the 5-core filter and the date window of the Amazon 2018 dump.
static const char* kWindow = "_5_2016-10-2018-11";

std::filesystem::path DatasetPaths::interactions(Split split) const {
  return root / split_name(split) / (name + kWindow + ".csv");
}
std::filesystem::path DatasetPaths::index_json() const { return root / "index" / (name + ".index.json"); }
std::filesystem::path DatasetPaths::item_json() const { return root / "index" / (name + ".item.json"); }
std::filesystem::path DatasetPaths::info() const { return root / "info" / (name + kWindow + ".txt"); }
std::filesystem::path DatasetPaths::item_enriched_json() const {
  return root / "index" / (name + ".item_enhanced_v2.json");
}
std::filesystem::path DatasetPaths::narrative_csv() const {
  return root / "index" / (name + ".integrated_narrative.csv");
}

std::string category_phrase(const std::string& dataset_name) {
  // The reference's category_dict (sidreasoner.md 3.2); any other name gives "items".
  if (dataset_name == "Office_Products") return "office products";
  if (dataset_name == "Industrial_and_Scientific") return "industrial and scientific items";
  if (dataset_name == "Video_Games") return "video games";
  if (dataset_name == "Toys_and_Games") return "toys and games";
  if (dataset_name == "Sports") return "sports and outdoors";
  if (dataset_name == "Books") return "books";
  return "items";
}

}  // namespace sidr::data
