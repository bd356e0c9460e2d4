// The prompts the teacher is given, after the paper's appendix as sidreasoner.md §2.5 summarises it (the exact
// wording is not in the reference; these follow its content point by point): item enrichment in two stages
// (a comprehensive analysis, then a senior copywriter's integration that names the item only by its SID),
// user reasoning (a first-person analyst monologue that refers to items only by SID and is given the next item
// "for internal guidance" only), and the narrative (the history's SIDs, the reasoning woven in, the target SID).
#pragma once
#include <string>
#include <vector>

#include "synth/leak_rules.h"
#include "synth/teacher.h"

namespace sidr::synth {

struct ItemFacts {
  std::string sid, title, brand, categories, description;  // cleaned
};

ChatRequest item_analysis_prompt(const ItemFacts& item);
ChatRequest item_integration_prompt(const ItemFacts& item, const std::string& analysis);
ChatRequest user_reasoning_prompt(const std::vector<ItemText>& history, const ItemText& target);
ChatRequest narrative_prompt(const std::vector<ItemText>& history, const ItemText& target,
                             const std::string& reasoning);

}  // namespace sidr::synth
