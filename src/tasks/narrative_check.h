// The checks Stage 2 runs on a narrative CSV before training on it (issue 17, "bad input"): every SID of a row
// (item_sid, history_item_sid, and each SID written inside reasoning_path and integrated_narrative) is in the
// index, and reasoning_path never names the row's target SID. The first violation is an InputError naming the
// file, the line, the row and the field.
#pragma once
#include <string>
#include <vector>

#include "data/catalog.h"
#include "tasks/corpus.h"

namespace sidr::tasks {

// The full SIDs written in a text: every run of `levels` level tokens in level order (<a_N><b_N>...), by
// position; lone tokens or partial runs are not SIDs.
std::vector<std::string> sids_in_text(const std::string& text, int levels);

void check_narrative(const NarrativeFile& file, const data::Catalog& catalog);

}  // namespace sidr::tasks
