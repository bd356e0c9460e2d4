// Option groups several commands share, declared once so that their flags read the same everywhere: the data
// group (--data, --dataset) and the progress flag (--no-progress).
#pragma once
#include "util/option_fields.h"

namespace sidr::opts {

inline constexpr const char* kDefaultDataRoot = "data/Amazon";
inline constexpr const char* kDefaultDataset = "Industrial_and_Scientific";

// --data and --dataset. The structs that hold them start them at kDefaultDataRoot / kDefaultDataset.
template <class Root, class Name, class Visit>
void data_fields(Root& root, Name& dataset, Visit&& visit) {
  visit(Field{"data", "dataset root in the reference layout (train/ valid/ test/ index/ info/)"}, root);
  visit(Field{"dataset", "dataset (category) name"}, dataset);
}

// --no-progress, the canonical spelling in every long-running command; `aliases` keeps older ones working
// (evaluate's --quiet).
template <class Flag, class Visit>
void progress_field(Flag& progress, Visit&& visit, std::string_view aliases = {}) {
  visit(Field{"progress", "no progress bar on stderr", kNegatedFlag | kNotRecorded, aliases}, progress);
}

}  // namespace sidr::opts
