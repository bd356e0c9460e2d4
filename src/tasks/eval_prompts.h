// Evaluation prompts (sidreasoner.md §6.1, §6.2, §9 point 1).
//   Plain (non-thinking), reference style: EvalSidDataset's system/user with the generation prompt, then the
//     forced "<think>\n</think>\n\n" (ids = encode(chat) ++ encode(think block)); left-truncated to 2564.
//   Plain, training style (--eval-prompt training): the T1 training prompt, then Q3T's "<think>\n\n</think>\n\n",
//     i.e. exactly the prefix the model saw in Stage 1.
//   Plain, sequence style: "<|im_start|>" + the history SIDs back to back (what a sequence-style T1 sample
//     holds before each target); no chat template, no think block.
//   Think: [SYS_REC, USER_REASON(history)] with the generation prompt (ends "<|im_start|>assistant\n");
//     left-truncated to 2048 (the reference's ids[2048:] slice is a bug we do not copy).
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "data/catalog.h"
#include "data/interactions.h"
#include "tasks/encode.h"
#include "tasks/task.h"

namespace sidr::tasks {

enum class EvalMode { Plain, Think };
enum class EvalPromptStyle { Reference, Training };
EvalMode parse_eval_mode(const std::string& name);                 // "plain" | "think"
EvalPromptStyle parse_eval_prompt_style(const std::string& name);  // "reference" | "training"

struct EvalPromptOptions {
  EvalMode mode = EvalMode::Plain;
  EvalPromptStyle eval_style = EvalPromptStyle::Reference;  // plain mode only
  PromptStyle style = PromptStyle::Reference;  // compact: the compact T1 (plain) / reason (think) prompts
};

struct EvalPrompt {
  std::size_t row = 0;       // 0-based row of the split
  std::string chat;          // render_chat([system?, user], add_generation_prompt=true)
  std::string think_block;   // appended after chat: "<think>\n</think>\n\n", "<think>\n\n</think>\n\n" or ""
  std::string user;          // the USER text ("input" of the prediction JSON)
  std::string history;       // ", ".join(history_item_sid)
  std::string target_sid;    // item_sid, stripped
  std::string target_title;  // item_title

  std::string text() const { return chat + think_block; }  // what the model is fed
};

// The prompt after a list of history items, oldest first (a serving request, an RL rollout): given as their
// SID strings, or as catalog item ids (InputError naming the id when it is unknown or has no SID). The target
// fields stay empty.
EvalPrompt build_eval_prompt(const std::vector<std::string>& history_sids, const EvalPromptOptions& options);
EvalPrompt build_eval_prompt(const std::vector<std::int64_t>& history_item_ids, const data::Catalog& catalog,
                             const EvalPromptOptions& options);
// A split's CSV row: its history_sids, plus its row index and target.
EvalPrompt build_eval_prompt(const data::Interaction& row, std::size_t index, const EvalPromptOptions& options);
std::vector<EvalPrompt> build_eval_prompts(const data::Interactions& rows, const EvalPromptOptions& options);

// Prompt ids as the reference builds them: encode(chat) ++ encode(think_block), left-truncated to
// eval_prompt_max_len(mode).
std::vector<text::TokenId> eval_prompt_ids(const EvalPrompt& prompt, EvalMode mode, const SampleEncoder& encoder);

// The reference's prompt length limits: 2560 + 4 (plain), 2048 (think).
std::size_t eval_prompt_max_len(EvalMode mode);

// The separator after which the SID is decoded: "\n</think>\n\n" in plain mode (its last 3 tokens end the
// prompt), "</think>\n\n" in think mode (appended after the cut chain of thought).
const char* eval_sid_separator(EvalMode mode);
// The separator for these options: the training-style (or compact) plain prompt ends with Q3T's
// "<think>\n\n</think>\n\n", so its separator is "</think>\n\n" like think mode.
const char* eval_sid_separator(const EvalPromptOptions& options);

}  // namespace sidr::tasks
