// MiniOneRec's `sasrec` reward (minionerec.md §8.3): a trained SASRec's score of the completion's item after the
// user's history. The reference takes SASRec's logit; we take its log-probability, which differs from the logit by
// a constant per history, i.e. per GRPO group, so the group advantages are the same. A completion that is not a
// catalog SID gets, instead of the reference's random item's score, its expectation: the mean log-probability over
// the catalog (no noise, the same value in expectation).
#pragma once
#include <filesystem>
#include <memory>
#include <string>
#include <unordered_map>

#include "baseline/sasrec_scorer.h"
#include "data/catalog.h"
#include "rl/reward.h"

namespace sidr::rl {

class SasrecReward : public Reward {
 public:
  // run_dir: a `baseline sasrec` run (config.json + model.pt) over this catalog (InputError otherwise).
  // think: completions are reasoning completions (the SID is read after "</think>" as the step rule reads it).
  SasrecReward(const std::filesystem::path& run_dir, const data::Catalog& catalog, bool think);
  std::string name() const override { return "sasrec"; }
  std::vector<double> score(const RewardGroup& group) const override;

 private:
  mutable baseline::SasrecScorer scorer_;
  std::unordered_map<std::string, std::int64_t> item_of_sid_;  // for colliding SIDs the last item wins
  bool think_;
};

}  // namespace sidr::rl
