#include "tasks/task.h"

#include "util/error.h"

namespace sidr::tasks {

const char* task_name(Task task) {
  switch (task) {
    case Task::T1: return "T1";
    case Task::T2SidToTitle: return "T2.sid2title";
    case Task::T2TitleToSid: return "T2.title2sid";
    case Task::T3: return "T3";
    case Task::T4: return "T4";
    case Task::T5: return "T5";
    case Task::T6: return "T6";
    case Task::T7: return "T7";
    case Task::T8: return "T8";
    case Task::Reason: return "reason";
  }
  return "?";
}

const char* task_group(Task task) {
  switch (task) {
    case Task::T2SidToTitle:
    case Task::T2TitleToSid: return "T2";
    default: return task_name(task);
  }
}

PromptStyle parse_prompt_style(const std::string& name) {
  if (name == "reference") return PromptStyle::Reference;
  if (name == "compact") return PromptStyle::Compact;
  if (name == "sequence") return PromptStyle::Sequence;
  throw InputError("--style (the prompt style) must be 'reference', 'compact' or 'sequence', got '" + name + "'");
}

const char* prompt_style_name(PromptStyle style) {
  switch (style) {
    case PromptStyle::Compact: return "compact";
    case PromptStyle::Sequence: return "sequence";
    default: return "reference";
  }
}

}  // namespace sidr::tasks
