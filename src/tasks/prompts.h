// Every prompt string of the reference as data (sidreasoner.md §3.2, §4, §6, Appendix A), and the compact
// style. Templates use {name} placeholders, filled in one pass (values are never re-scanned).
#pragma once
#include <array>
#include <string>
#include <utility>
#include <vector>

#include "tasks/task.h"

namespace sidr::tasks {

struct PromptSet {
  // An empty system string means "no system message".
  std::string t1_system, t1_user;                     // {history}
  std::string t2_system, t2_title2sid_user;           // {title}
  std::string t2_sid2title_user;                      // {sid}
  std::string t3_system, t3_user;                     // {history}
  std::string t4_system;                              // {instruction}
  std::array<std::string, 11> t4_instructions;        // {category}
  std::string t4_user;                                // {category} {titles}
  std::string t4_title_open, t4_title_close, t4_title_separator;  // '"', '"', ",\t"
  std::string t4_target;                              // {title}: "\"{title}\"\n"
  std::string t5_system, t5_user;                     // {category} {titles}
  std::string t5_title_open, t5_title_close, t5_title_separator;  // '"', '"', ", "
  std::string reason_system, reason_user;             // {history}   (SYS_REC, USER_REASON)
  std::string eval_system, eval_user;                 // {history}   (EvalSidDataset, non-thinking eval)
  std::string history_separator;                      // ", " between SIDs
};

// The reference strings, verbatim (typos included: "recetenly", "palyed", "{category}s").
const PromptSet& reference_prompts();
// Short instructions for small models; same tasks, placeholders and targets.
const PromptSet& compact_prompts();
// The compact prompts with SIDs written back to back (no separator), for the sequence style.
const PromptSet& sequence_prompts();
const PromptSet& prompts_for(PromptStyle style);

// Replaces each {name} of `values` in `pattern`; unknown {...} stays literal. One pass over the pattern.
std::string fill_template(const std::string& pattern,
                          const std::vector<std::pair<std::string, std::string>>& values);

// The empty think blocks: Q3T's (every Stage 1 training target follows it) and EvalSidDataset's forced one.
inline constexpr const char* kTrainingThinkBlock = "<think>\n\n</think>\n\n";
inline constexpr const char* kEvalThinkBlock = "<think>\n</think>\n\n";
// What a sequence-style sample or prompt starts with, before the first SID.
inline constexpr const char* kSequenceStart = "<|im_start|>";

}  // namespace sidr::tasks
