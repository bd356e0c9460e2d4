#include "tasks/eval_prompts.h"

#include "tasks/builders.h"
#include "tasks/prompts.h"
#include "text/chat_template.h"
#include "util/error.h"
#include "util/strings.h"

namespace sidr::tasks {

EvalMode parse_eval_mode(const std::string& name) {
  if (name == "plain") return EvalMode::Plain;
  if (name == "think") return EvalMode::Think;
  throw InputError("evaluation mode must be 'plain' or 'think', got '" + name + "'");
}

EvalPromptStyle parse_eval_prompt_style(const std::string& name) {
  if (name == "reference") return EvalPromptStyle::Reference;
  if (name == "training") return EvalPromptStyle::Training;
  throw InputError("the plain-mode evaluation prompt (--prompt-style, --eval-prompt) must be 'reference' or "
                   "'training', got '" + name + "'");
}

EvalPrompt build_eval_prompt(const std::vector<std::string>& history_sids, const EvalPromptOptions& options) {
  const PromptSet& p = prompts_for(options.style);
  EvalPrompt out;
  out.history = join(history_sids, p.history_separator);
  std::string system;
  if (options.mode == EvalMode::Plain && options.style == PromptStyle::Sequence) {
    // What a sequence-style T1 sample holds before the target: no chat, no think block.
    out.user = out.history;
    out.chat = kSequenceStart + out.history;
    return out;
  }
  if (options.mode == EvalMode::Think) {
    system = p.reason_system;
    out.user = fill_template(p.reason_user, {{"history", out.history}});
  } else if (options.eval_style == EvalPromptStyle::Reference && options.style == PromptStyle::Reference) {
    system = p.eval_system;
    out.user = fill_template(p.eval_user, {{"history", out.history}});
    out.think_block = kEvalThinkBlock;
  } else {
    // The T1 training prompt with Q3T's empty think block: what Stage 1 saw before every SID target.
    system = p.t1_system;
    out.user = fill_template(p.t1_user, {{"history", out.history}});
    out.think_block = kTrainingThinkBlock;
  }
  std::vector<text::ChatMessage> messages;
  if (!system.empty()) messages.push_back({"system", system});
  messages.push_back({"user", out.user});
  out.chat = text::render_chat(messages, true);
  return out;
}

EvalPrompt build_eval_prompt(const std::vector<std::int64_t>& history_item_ids, const data::Catalog& catalog,
                             const EvalPromptOptions& options) {
  std::vector<std::string> sids;
  for (auto id : history_item_ids) {
    const data::Item* item = catalog.find(id);
    if (!item) throw InputError("history item " + std::to_string(id) + " is not in the catalog");
    if (item->sid.empty()) throw InputError("history item " + std::to_string(id) + " has no SID");
    sids.push_back(item->sid);
  }
  return build_eval_prompt(sids, options);
}

EvalPrompt build_eval_prompt(const data::Interaction& row, std::size_t index, const EvalPromptOptions& options) {
  EvalPrompt out = build_eval_prompt(row.history_sids, options);
  out.row = index;
  out.target_sid = std::string(trim(row.item_sid));
  out.target_title = row.item_title;
  return out;
}

std::vector<EvalPrompt> build_eval_prompts(const data::Interactions& rows, const EvalPromptOptions& options) {
  std::vector<EvalPrompt> out;
  out.reserve(rows.rows.size());
  for (std::size_t i = 0; i < rows.rows.size(); ++i) out.push_back(build_eval_prompt(rows.rows[i], i, options));
  return out;
}

std::vector<text::TokenId> eval_prompt_ids(const EvalPrompt& prompt, EvalMode mode, const SampleEncoder& encoder) {
  auto ids = encoder.encode_prompt(prompt.chat);
  if (!prompt.think_block.empty()) {
    auto think = encoder.encode_prompt(prompt.think_block);
    ids.insert(ids.end(), think.begin(), think.end());
  }
  truncate_left(ids, eval_prompt_max_len(mode));
  return ids;
}

std::size_t eval_prompt_max_len(EvalMode mode) { return mode == EvalMode::Think ? 2048 : 2560 + 4; }

const char* eval_sid_separator(EvalMode mode) { return mode == EvalMode::Think ? "</think>\n\n" : "\n</think>\n\n"; }

}  // namespace sidr::tasks

namespace sidr::tasks {

const char* eval_sid_separator(const EvalPromptOptions& options) {
  if (options.mode == EvalMode::Plain && options.style == PromptStyle::Sequence) return "";
  if (options.mode == EvalMode::Plain && options.eval_style == EvalPromptStyle::Reference &&
      options.style == PromptStyle::Reference)
    return "\n</think>\n\n";
  return "</think>\n\n";
}

}  // namespace sidr::tasks
