// The offline user-centric corpus (sidreasoner.md §2.5 b): a first-person reasoning path that names items only
// by SID and is history-grounded but target-selected (which part of the history continues into the target:
// title words or a brand the target shares with history items, else one fixed "new direction" statement), and
// the integrated narrative that recites the history's SIDs, weaves in the reasoning and ends with the target SID.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "synth/leak_rules.h"

namespace sidr::synth {

enum class Grounding { Words, Brand, WordsAndBrand, NewDirection };
const char* grounding_name(Grounding grounding);

struct Reasoning {
  std::string text;
  Grounding grounding = Grounding::NewDirection;
  std::vector<std::string> words;  // the shared title words it names (at most 3)
  std::string brand;               // the shared brand it names
  bool fell_back = false;          // every template of its grounding leaked, so the new-direction text was used
};

// The fixed statement for a target that continues nothing in the history (two fixed alternatives stand in
// when one of its own words would be a target-only word).
extern const char* const kNewDirection;
extern const char* const kNewDirectionAlternatives[2];

// Deterministic in (history, target, seed): the seed picks the template.
Reasoning offline_reasoning(const std::vector<ItemText>& history, const ItemText& target, std::uint64_t seed);

// The narrative: the history's SIDs in order, the reasoning, and the target SID as its last characters.
std::string offline_narrative(const std::vector<ItemText>& history, const ItemText& target,
                              const std::string& reasoning, std::uint64_t seed);

// A per-row seed: splitmix64 of the run's seed and the row number (rows stay independent of each other).
std::uint64_t row_seed(std::uint64_t seed, std::uint64_t row);

}  // namespace sidr::synth
