// The offline item-centric corpus (sidreasoner.md §2.5 a, field llm_stage2): a paragraph about one item that
// names it only by its SID, built from its cleaned catalog entry (brand, title words, description sentences).
// The title itself never appears: where the description repeats it, the SID stands in its place.
#pragma once
#include <cstdint>
#include <string>

#include "data/catalog.h"

namespace sidr::synth {

// Deterministic in (item, seed). `category` is the reference's phrase ("industrial and scientific items").
std::string offline_item_paragraph(const data::Item& item, const std::string& dataset_name,
                                   const std::string& category, std::uint64_t seed);

// The processed description (data::Catalog::processed_description), cleaned, cut to at most `max_words` words
// at a sentence end where there is one; "" when it only repeats the title.
std::string clean_description(const data::Item& item, std::size_t max_words = 60);

}  // namespace sidr::synth
