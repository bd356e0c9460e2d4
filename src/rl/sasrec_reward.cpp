#include "rl/sasrec_reward.h"

#include <fmt/format.h>

#include "util/error.h"

namespace sidr::rl {

SasrecReward::SasrecReward(const std::filesystem::path& run_dir, const data::Catalog& catalog, bool think)
    : scorer_(baseline::SasrecScorer::load(run_dir)), think_(think) {
  const auto items = static_cast<std::int64_t>(catalog.items().size());
  if (scorer_.num_items() != items)
    throw InputError(fmt::format("{}: SASRec was trained on {} items, the catalog has {}", run_dir.string(),
                                 scorer_.num_items(), items));
  for (std::int64_t i = 0; i < items; ++i) {
    const auto& item = catalog.items()[static_cast<std::size_t>(i)];
    if (!item.sid.empty()) item_of_sid_[item.sid] = std::stoll(item.id);
  }
}

std::vector<double> SasrecReward::score(const RewardGroup& group) const {
  if (group.history_ids.empty()) throw Error("the sasrec reward needs the user's history");
  auto log_probs = scorer_.log_probs({group.history_ids})[0].to(torch::kFloat64);
  const double expected = log_probs.mean().item<double>();
  auto values = log_probs.contiguous();
  const double* v = values.data_ptr<double>();
  std::vector<double> out;
  for (const auto& c : group.completions) {
    auto it = item_of_sid_.find(answered_sid(c, think_));
    out.push_back(it == item_of_sid_.end() ? expected : v[it->second]);
  }
  return out;
}

}  // namespace sidr::rl
