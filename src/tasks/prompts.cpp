#include "tasks/prompts.h"

#include "util/error.h"

namespace sidr::tasks {
namespace {

// The sentence every reference system prompt starts with.
const char* const kPreamble =
    "Below is an instruction that describes a task, paired with an input that provides further context. "
    "Write a response that appropriately completes the request.";

PromptSet make_reference() {
  const std::string pre = kPreamble;
  PromptSet p;
  p.t1_system = pre + " Can you predict the next possible item that the user may expect?";
  p.t1_user = "The user has interacted with items {history} in chronological order. "
              "Can you predict the next possible item that the user may expect?";
  p.t2_system = pre + " \nAnswer the question about item identification.\n";
  p.t2_title2sid_user = "Which item has the title: {title}?";
  p.t2_sid2title_user = "What is the title of item \"{sid}\"?";
  p.t3_system = pre + "\nCan you recommend the next item for the user based on their interaction history?\n";
  p.t3_user = "The user has sequentially interacted with items {history}. "
              "Can you recommend the next item for him? Tell me the title of the item?";
  p.t4_system = pre + "\n{instruction}\n \n";
  p.t4_instructions = {
      "Given a list of {category} the user recetenly enjoy, please write a new {category} that the user may "
      "bought",
      "Considering the {category} that has recently captured the user's interest, kindly create a compilation "
      "of other {category} that the user might have played prior to this.",
      "Based on the user's current gaming preference, please draft a list of potential {category} they may have "
      "experienced beforehand.",
      "Reflecting on the {category} the user has taken pleasure in recently, we request that you formulate a "
      "list of {category} that may have preceded the user's current enjoyment.",
      "In light of the recent gaming enjoyment expressed by the user, please assemble a list of {category} that "
      "could potentially include past titles the user has engaged with.",
      "Taking into account the {category} that has lately provided enjoyment to the user, please put together "
      "an inventory of {category} the user might have explored previously.",
      "Given the user's newfound enjoyment of a particular {category}, would you kindly generate a roster of "
      "other {category} that might resonate with their past gaming experiences?",
      "In response to the user's recent fondness for a specific {category}, we seek your assistance in listing "
      "possible {category} the user may have delighted in earlier.",
      "With respect to the {category} currently enjoyed by the user, please compile a suggestive list of "
      "{category} they may have played in the past.",
      "Bearing in mind the {category} that the user has recently been enthralled by, please construct a catalog "
      "of other {category} that the user potentially partook in beforehand.",
      "In relation to the user's recent entertainment with a given {category}, it would be appreciated if you "
      "could curate a list of {category} that might form part of the user's previous gaming history.",
  };
  p.t4_user = "The user has palyed the following {category}s before: {titles}";
  p.t4_title_open = "\"";
  p.t4_title_close = "\"";
  p.t4_title_separator = ",\t";
  p.t4_target = "\"{title}\"\n";
  p.t5_system = pre + " \nBased on the user's historical interaction with item titles, predict the semantic ID "
                      "of the next item they may expect.\n";
  p.t5_user = "The user has interacted with the following {category} items in chronological order: {titles}. "
              "Can you predict the next item the user may expect?";
  p.t5_title_open = "\"";
  p.t5_title_close = "\"";
  p.t5_title_separator = ", ";
  p.reason_system = p.t3_system;  // SYS_REC
  p.reason_user = "The user has sequentially interacted with items {history}. Can you recommend the next item "
                  "for him? Let's think step by step before making recommendation. Directly output the item SID "
                  "after thinking.";
  p.eval_system = pre + " \nCan you predict the next possible item that the user may expect?\n";
  p.eval_user = "Can you predict the next possible item the user may expect, given the following chronological "
                "interaction history: {history}";
  p.history_separator = ", ";
  return p;
}

// Same tasks and targets, a fraction of the prompt tokens: no system message, one short line per task.
PromptSet make_compact() {
  PromptSet p;
  p.t1_user = "Items: {history}. Next item?";
  p.t2_title2sid_user = "Item ID of: {title}";
  p.t2_sid2title_user = "Title of {sid}";
  p.t3_user = "Items: {history}. Next item title?";
  p.t4_instructions.fill("");
  p.t4_user = "Titles: {titles}. Next title?";
  p.t4_title_open = "\"";
  p.t4_title_close = "\"";
  p.t4_title_separator = ", ";
  p.t4_target = "\"{title}\"\n";
  p.t5_user = "Titles: {titles}. Next item ID?";
  p.t5_title_open = "\"";
  p.t5_title_close = "\"";
  p.t5_title_separator = ", ";
  p.reason_user = "Items: {history}. Think, then give the next item.";
  p.eval_user = p.t1_user;
  p.history_separator = ", ";
  return p;
}

}  // namespace

const PromptSet& reference_prompts() {
  static const PromptSet prompts = make_reference();
  return prompts;
}

const PromptSet& compact_prompts() {
  static const PromptSet prompts = make_compact();
  return prompts;
}

const PromptSet& sequence_prompts() {
  static const PromptSet prompts = [] {
    PromptSet p = make_compact();
    p.history_separator.clear();  // SIDs back to back: every SID starts with its <a_*> token
    return p;
  }();
  return prompts;
}

const PromptSet& prompts_for(PromptStyle style) {
  switch (style) {
    case PromptStyle::Compact: return compact_prompts();
    case PromptStyle::Sequence: return sequence_prompts();
    default: return reference_prompts();
  }
}

std::string fill_template(const std::string& pattern,
                          const std::vector<std::pair<std::string, std::string>>& values) {
  std::string out;
  out.reserve(pattern.size() + 64);
  std::size_t i = 0;
  while (i < pattern.size()) {
    if (pattern[i] == '{') {
      std::size_t close = pattern.find('}', i + 1);
      if (close != std::string::npos) {
        const std::string name = pattern.substr(i + 1, close - i - 1);
        bool replaced = false;
        for (const auto& [key, value] : values) {
          if (key == name) {
            out += value;
            replaced = true;
            break;
          }
        }
        if (replaced) {
          i = close + 1;
          continue;
        }
      }
    }
    out += pattern[i++];
  }
  return out;
}

}  // namespace sidr::tasks
