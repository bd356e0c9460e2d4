// The training and evaluation tasks of the reference (sidreasoner.md §3-§4, §6) and a sample as text.
#pragma once
#include <cstddef>
#include <string>

namespace sidr::tasks {

enum class Task {
  T1,            // SID history -> SID (SidSFTDataset)
  T2SidToTitle,  // T2 first half: SID -> title (SidItemFeatDataset, sid2title)
  T2TitleToSid,  // T2 second half: title -> SID (title2sid)
  T3,            // SID history -> title (FusionSeqRecDataset)
  T4,            // title history -> title, 11 instruction templates (SFTData)
  T5,            // title history -> SID (TitleHistory2SidSFTDataset)
  T6,            // item-centric enriched corpus, plain LM over llm_stage2
  T7,            // user-centric enriched corpus, plain LM over integrated_narrative
  T8,            // general reasoning chats
  Reason,        // Stage 2 reasoning activation
};

// "T1", "T2.sid2title", "T2.title2sid", "T3", ..., "T8", "reason".
const char* task_name(Task task);
// The mixing group of a task: "T1".."T8" (both T2 halves are "T2"), "reason".
const char* task_group(Task task);

// How the reference renders the prompts: verbatim (default), a compact style for small CPU models (same tasks
// and targets, short instructions, no system message), or the sequence style: T1 becomes one sample per
// user's run of rows, "<|im_start|>" then the SIDs back to back, every target SID supervised in place (see
// build_t1_sequences); the other tasks keep the compact prompts.
enum class PromptStyle { Reference, Compact, Sequence };
// "reference" | "compact" | "sequence"; InputError otherwise
PromptStyle parse_prompt_style(const std::string& name);
const char* prompt_style_name(PromptStyle style);

// One sample as text: text() = prefix + supervised + suffix. Only `supervised` carries labels:
//   Stage 1 chat tasks: prefix = chat up to the target, supervised = target, suffix = "<|im_end|>\n";
//   Stage 2:            supervised = "<think>\n...\n</think>\n\n{sid}<|im_end|>\n", suffix empty;
//   T6/T7:              prefix empty, supervised = the whole text;
//   T8:                 prefix = prompt with generation prompt, supervised = golden + "<|im_end|>".
struct TextSample {
  Task task = Task::T1;
  std::string prefix;
  std::string supervised;
  std::string suffix;
  // True when the reference defines the ids as encode(prefix) ++ encode(supervised) ++ encode(suffix) (T8);
  // otherwise they are encode(text()) and the label span is located inside them.
  bool by_parts = false;
  std::size_t source = 0;  // 0-based row or entry index in the source file

  std::string text() const { return prefix + supervised + suffix; }
};

}  // namespace sidr::tasks
