#include "eval/reference_reasoning.h"

#include <cctype>

#include "tasks/corpus.h"
#include "util/error.h"
#include "util/strings.h"

namespace sidr::eval {
namespace {

std::string row_key(const std::vector<std::string>& history, const std::string& target) {
  std::string key;
  for (const auto& h : history) key += std::string(trim(h)) + "\x1f";
  return key + "\x1e" + std::string(trim(target));
}

}  // namespace

ReferenceReasoning ReferenceReasoning::load(const std::filesystem::path& csv, const data::Catalog& catalog) {
  const auto narrative = tasks::NarrativeFile::load(csv);
  ReferenceReasoning out;
  out.file_ = csv;
  const std::string file = csv.string();
  for (const auto& row : narrative.rows) {
    if (row.history_malformed || !row.history_sids || !row.item_sid || !row.reasoning_path) continue;
    std::string reasoning(trim(*row.reasoning_path));
    if (starts_with(reasoning, "<think>")) {
      if (reasoning.find("</think>") == std::string::npos) continue;  // unclosed: Stage 2 skips it too
      reasoning = tasks::cut_after_think(reasoning);
    }
    reasoning = std::string(trim(reasoning));
    if (reasoning.empty()) continue;
    const std::string target(trim(*row.item_sid));
    if (!catalog.has_sid(target))
      throw_input_error({file, row.line, 0, "item_sid"}, "SID " + target + " is not in the catalog's index");
    for (const auto& h : *row.history_sids)
      if (!catalog.has_sid(std::string(trim(h))))
        throw_input_error({file, row.line, 0, "history_item_sid"},
                          "SID " + std::string(trim(h)) + " is not in the catalog's index");
    if (reasoning.find(target) != std::string::npos)
      throw_input_error({file, row.line, 0, "reasoning_path"},
                        "the reasoning names its target SID " + target + " (it would leak the answer)");
    out.by_row_.emplace(row_key(*row.history_sids, target), std::move(reasoning));
  }
  return out;
}

const std::string* ReferenceReasoning::find(const std::vector<std::string>& history_sids,
                                            const std::string& target_sid) const {
  auto it = by_row_.find(row_key(history_sids, target_sid));
  return it == by_row_.end() ? nullptr : &it->second;
}

std::set<std::string> reasoning_words(std::string_view text) {
  std::set<std::string> words;
  std::string word;
  auto flush = [&] {
    if (word.size() >= 3) words.insert(word);
    word.clear();
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '<') {  // a SID token <x_123> is skipped whole
      std::size_t close = text.find('>', i);
      if (close != std::string_view::npos && close > i + 3 && text[i + 2] == '_') {
        bool digits = close > i + 3;
        for (std::size_t k = i + 3; k < close; ++k) digits = digits && std::isdigit(static_cast<unsigned char>(text[k]));
        if (digits && std::isalpha(static_cast<unsigned char>(text[i + 1]))) {
          flush();
          i = close;
          continue;
        }
      }
    }
    if (std::isalnum(static_cast<unsigned char>(c))) word.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    else flush();
  }
  flush();
  return words;
}

std::optional<double> word_recall(std::string_view reference, std::string_view generated) {
  const auto ref = reasoning_words(reference);
  if (ref.empty()) return std::nullopt;
  const auto gen = reasoning_words(generated);
  std::size_t hit = 0;
  for (const auto& w : ref) hit += gen.count(w);
  return static_cast<double>(hit) / static_cast<double>(ref.size());
}

}  // namespace sidr::eval
