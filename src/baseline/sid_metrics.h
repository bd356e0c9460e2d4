// Ranking metrics over Semantic IDs, computed the way the generative model is scored (reference calc.py):
// a ranked list of items becomes a ranked list of distinct SIDs (an SID shared by several items counts once,
// at the position of its best-ranked item), rank = 0-based position of the target SID in that list,
// HR@K and NDCG@K from util/ranking_metrics.h.
#pragma once
#include <cstdint>
#include <vector>

#include "util/ranking_metrics.h"

namespace sidr::baseline {

// Distinct SID indices in rank order, at most max_sids of them. ranked_items are item ids, best first;
// item_sid maps an item id to its SID index.
std::vector<std::int32_t> dedup_sids(const std::int64_t* ranked_items, std::size_t count,
                                     const std::vector<std::int32_t>& item_sid, std::size_t max_sids);

// 0-based position of target in ranked_sids, or -1 when absent.
int first_rank(const std::vector<std::int32_t>& ranked_sids, std::int32_t target);

// How many top items must be ranked to be sure of max_sids distinct SIDs: every SID collision removes one
// distinct SID from any prefix at most once, so max_sids + (items - distinct SIDs) items always suffice.
std::size_t items_needed_for(std::size_t max_sids, std::size_t num_items, std::size_t num_distinct_sids);

// The HR@K / NDCG@K accumulator, shared with eval/metrics.
using util::RankingMetrics;

}  // namespace sidr::baseline
