#include "synth/teacher_prompts.h"

#include <fmt/format.h>

#include "util/strings.h"

namespace sidr::synth {
namespace {

std::string history_lines(const std::vector<ItemText>& history) {
  std::string out;
  for (std::size_t i = 0; i < history.size(); ++i)
    out += fmt::format("{}. {}: {}{}\n", i + 1, history[i].sid, history[i].title.empty() ? "(no title)" : history[i].title,
                       history[i].brand.empty() ? "" : " (brand: " + history[i].brand + ")");
  return out;
}

}  // namespace

ChatRequest item_analysis_prompt(const ItemFacts& item) {
  return {"You are a product analyst.",
          fmt::format("Give a comprehensive analysis of this product.\nTitle: {}\nBrand: {}\nCategory: {}\n"
                      "Description: {}\n\nWrite: a 2-3 sentence description; 2-3 use cases; the target audience; "
                      "3-5 key features; 5-8 related keywords.",
                      item.title, item.brand.empty() ? "unknown" : item.brand,
                      item.categories.empty() ? "unknown" : item.categories,
                      item.description.empty() ? "none" : item.description)};
}

ChatRequest item_integration_prompt(const ItemFacts& item, const std::string& analysis) {
  return {"You are a senior copywriter.",
          fmt::format("Integrate the analysis below into one paragraph of at least 10 sentences about the product. "
                      "Every reference to the product must use its identifier {} and never its title or name.\n\n"
                      "Analysis:\n{}",
                      item.sid, analysis)};
}

ChatRequest user_reasoning_prompt(const std::vector<ItemText>& history, const ItemText& target) {
  return {"You are a recommendation analyst who thinks aloud in the first person as the user.",
          fmt::format("Here is my purchase history, oldest first; each item has an identifier:\n{}\n"
                      "For internal guidance only, the item I bought next was: {}{}. Never mention it, its "
                      "identifier, its title or any word of its title that none of my earlier items has.\n\n"
                      "Write a first-person monologue that infers my preferences from the history, referring to "
                      "items only by their identifiers (never by title), and end with a short summary of my "
                      "current interests that does not name the next item.",
                      history_lines(history), target.title.empty() ? "(no title)" : target.title,
                      target.brand.empty() ? "" : " (brand: " + target.brand + ")")};
}

ChatRequest narrative_prompt(const std::vector<ItemText>& history, const ItemText& target,
                             const std::string& reasoning) {
  std::vector<std::string> sids;
  for (const auto& h : history) sids.push_back(h.sid);
  return {"You are a writer of user stories for a recommender system.",
          fmt::format("Write one narrative paragraph in the first person that first recites my purchase sequence "
                      "{}, then weaves in the reasoning below, and ends by naming my next purchase {}. Refer to "
                      "items only by these identifiers.\n\nReasoning:\n{}",
                      join(sids, ", "), target.sid, reasoning)};
}

}  // namespace sidr::synth
