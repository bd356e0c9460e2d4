// GRPO rewards (sidreasoner.md §5.2, minionerec.md §8.3) behind one small interface: a reward scores one group
// (the G completions of one prompt) against the prompt's ground-truth SID. Group-level because MiniOneRec's
// `ranking` reward depends on the other members of the group (a miss is penalised only when some member hits).
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace sidr::rl {

struct RewardGroup {
  std::size_t prompt_row = 0;            // row of the prompt in its split (for error messages)
  std::string ground_truth;              // "<a_..><b_..><c_..>"
  std::vector<std::string> completions;  // decoded completion texts (special tokens skipped), rank order
  std::vector<std::int64_t> history_ids;  // the user's history (catalog item ids, oldest first): for `sasrec`
};

class Reward {
 public:
  virtual ~Reward() = default;
  virtual std::string name() const = 0;
  // One value per completion, in order.
  virtual std::vector<double> score(const RewardGroup& group) const = 0;
};

// ---- SIDReasoner's step rule (§5.2) ---------------------------------------------------------------------
// The answer of a completion as the reference's extract_solution reads it: only the last 50 characters
// (code points, as Python slices), the text after the first "</think>", its first 3 `<...>` tokens; nullopt
// when there is no "</think>" in that window or fewer than 3 tokens follow it.
std::optional<std::vector<std::string>> step_rule_answer(std::string_view completion);
// The first `limit` matches of the regex <[^>]+> in text.
std::vector<std::string> angle_tokens(std::string_view text, std::size_t limit);

// valid_sids: the catalog's SIDs (the reference's prefix map accepts exactly them).
class StepRuleReward : public Reward {
 public:
  explicit StepRuleReward(std::vector<std::string> valid_sids);
  std::string name() const override { return "step_rule"; }
  std::vector<double> score(const RewardGroup& group) const override;
  // One completion: 0 unparseable; else prefix credit 0 / 0.25 / 0.5 / 1.0 + 0.1 if the answer is a catalog SID.
  double score_one(std::string_view completion, std::string_view ground_truth) const;

 private:
  std::unordered_set<std::string> valid_;
};

// The SID a completion answers with: with think, the step rule's parse (joined; "" when unparseable); without,
// the text stripped of whitespace and '"'.
std::string answered_sid(const std::string& text, bool think);

// ---- MiniOneRec (§8.3) ----------------------------------------------------------------------------------
// rule_reward's hit: both sides stripped of "\n", '"' and ' ' at the ends, then equal.
bool minionerec_hit(std::string_view completion, std::string_view ground_truth);
// p_j = -w_j / sum_k w_k with w_j = 1 / log2(j + 2), j = 0..g-1 (sums to -1).
std::vector<double> ranking_penalties(std::size_t group_size);

// `rule`: 1 for a hit, else 0.
class RuleReward : public Reward {
 public:
  std::string name() const override { return "rule"; }
  std::vector<double> score(const RewardGroup& group) const override;
};

// `ranking` = rule + ndcg_rule: a hit 1; a miss in a group with a hit the rank penalty p_j; a group without a
// hit all 0.
class RankingReward : public Reward {
 public:
  std::string name() const override { return "ranking"; }
  std::vector<double> score(const RewardGroup& group) const override;
};

// `exact`: 1 when the completion's answer (the text after the last "</think>" if there is one, else the whole
// completion), stripped of whitespace, is exactly the ground truth; else 0. No partial credit, no validity bonus.
class ExactMatchReward : public Reward {
 public:
  std::string name() const override { return "exact"; }
  std::vector<double> score(const RewardGroup& group) const override;
};

// The rewards by name: step_rule, rule, ranking, exact (sasrec is built by rl/sasrec_reward.h). InputError for
// another name.
std::unique_ptr<Reward> make_reward(const std::string& name, const std::vector<std::string>& valid_sids);

// score() with the run's guard: an exception, a wrong number of values or a non-finite value stops the run with
// one line naming the reward and the prompt row (sidr::Error), never a silent zero.
std::vector<double> checked_score(const Reward& reward, const RewardGroup& group);

}  // namespace sidr::rl
