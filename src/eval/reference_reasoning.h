// The narrative CSV's reasoning (`reasoning_path`, the synthesized thoughts Stage 2 trains on) looked up per
// evaluated row: fed in as the thought in think mode's oracle decode (an upper bound, for diagnosis only), and
// the reference against which a generated thought's word recall is measured.
#pragma once
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "data/catalog.h"

namespace sidr::eval {

class ReferenceReasoning {
 public:
  // Reads the CSV (tasks::NarrativeFile: history_item_sid, item_sid, reasoning_path). Rows without a usable
  // reasoning are skipped as Stage 2 skips them (a leading "<think>...</think>" is cut). InputError naming
  // file, line and field for a history or target SID that is not in the catalog, and for a reasoning that
  // names its own target SID (it would leak the answer into the thought).
  static ReferenceReasoning load(const std::filesystem::path& csv, const data::Catalog& catalog);

  // The reasoning of the first row with this history and target, or nullptr.
  const std::string* find(const std::vector<std::string>& history_sids, const std::string& target_sid) const;
  std::size_t size() const { return by_row_.size(); }
  const std::filesystem::path& file() const { return file_; }

 private:
  std::filesystem::path file_;
  std::unordered_map<std::string, std::string> by_row_;  // key: history SIDs and target, joined
};

// The words a recall counts: maximal runs of ASCII letters and digits, lowercased, at least 3 characters,
// with SID tokens ("<a_12>") removed first; distinct.
std::set<std::string> reasoning_words(std::string_view text);
// |words(reference) & words(generated)| / |words(reference)|; nullopt when the reference has no words.
std::optional<double> word_recall(std::string_view reference, std::string_view generated);

}  // namespace sidr::eval
