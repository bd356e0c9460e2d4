// The enriched corpora and general chats (sidreasoner.md §2.5-§2.6): T6 (item-centric, llm_stage2 of
// item_enhanced_v2.json), T7 (user-centric, integrated_narrative column), Stage 2 reasoning activation
// (history_item_sid, item_sid, reasoning_path columns) and T8 (JSONL general reasoning chats).
// Bad cells are skipped and counted instead of crashing (the reference crashes on NaN narratives).
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "tasks/task.h"

namespace sidr::tasks {

// One row of <Cat>.integrated_narrative.csv; absent or NaN cells are std::nullopt.
struct NarrativeRow {
  std::size_t line = 0;                        // 1-based CSV line where the row starts
  std::optional<std::vector<std::string>> history_sids;
  bool history_malformed = false;              // the history_item_sid cell is not a list of strings
  std::optional<std::string> item_sid;
  std::optional<std::string> reasoning_path;
  std::optional<std::string> integrated_narrative;
};

struct NarrativeFile {
  std::filesystem::path file;
  std::vector<NarrativeRow> rows;
  // Reads the CSV (data::read_csv: RFC 4180 quoting; any column order; only the columns above are read). Pandas' default NaN
  // spellings ("", "nan", "NaN", "NA", "null", ...) read as absent. InputError if the file is unreadable or
  // the header lacks every known column.
  static NarrativeFile load(const std::filesystem::path& csv_path);
};

// Rows that were skipped, by reason, so callers can report them.
struct CorpusStats {
  std::size_t used = 0;
  std::size_t skipped_missing = 0;    // NaN/empty cell, entry without the field
  std::size_t skipped_unclosed = 0;   // reasoning starting with <think> but never closed (Stage 2 rule)
  std::size_t skipped_bad = 0;        // malformed list literal or unrenderable sample
};

// The reference's cut: if "</think>" occurs, keep what follows the last one, stripped.
std::string cut_after_think(const std::string& text);

// T6: one plain-LM sample per entry of item_enhanced_v2.json (file order) that has llm_stage2.
std::vector<TextSample> build_t6(const std::filesystem::path& item_enhanced_json, CorpusStats* stats = nullptr);
// T7: one plain-LM sample per narrative row with an integrated_narrative.
std::vector<TextSample> build_t7(const NarrativeFile& file, CorpusStats* stats = nullptr);
// Stage 2: [SYS_REC, USER_REASON, assistant "<think>\n{R}\n</think>\n\n{sid}"], labels from <think> to the end.
std::vector<TextSample> build_reason(const NarrativeFile& file, PromptStyle style, CorpusStats* stats = nullptr);
// T8: random.sample(lines, min(count, lines)) with PythonRandom(seed); prompt = system/user messages with the
// generation prompt, supervised = last assistant content + "<|im_end|>" (ids by parts).
std::vector<TextSample> build_t8(const std::filesystem::path& jsonl, std::size_t count, std::uint64_t seed,
                                 CorpusStats* stats = nullptr);

}  // namespace sidr::tasks
