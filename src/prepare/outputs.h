// Writing MiniOneRec's intermediate files (reference §2.1 step 8) into one directory, each file atomically
// (temp file + rename), byte for byte as data/amazon18_data_process.py writes them:
//   NAME.{train,valid,test}.inter  TSV "user_id:token\titem_id_list:token_seq\titem_id:token", history of at most
//                                  the last 50 items (never more than 10 here), space-separated
//   NAME.inter.json                user index -> time-ordered item indices (json.dump indent 2)
//   NAME.item.json                 item index -> {title, description, brand, categories} (indent 2)
//   NAME.user2id, NAME.item2id     "original\tindex" lines
// (The script's NAME.review.json, review texts keyed by (user, item, time), is not written.)
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "prepare/interaction_table.h"
#include "prepare/item_text.h"
#include "prepare/sequences.h"

namespace sidr::prepare {

void write_prepared(const std::filesystem::path& dir, const std::string& dataset, const InteractionTable& table,
                    const Sequences& sequences, const std::vector<ItemText>& items);

}  // namespace sidr::prepare
