// Rewards: the step rule's 8 values (sidreasoner.md §5.2), its parsing window and prefix credit; MiniOneRec's
// rule and ranking rewards and the G = 16 penalty table (minionerec.md §8.3); the guard that names the prompt row.
#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include "rl/reward.h"
#include "util/error.h"

namespace sidr::rl {
namespace {

// Catalog: the target <a_1><b_2><c_3> and SIDs that make each prefix depth valid or invalid.
StepRuleReward step_rule() {
  return StepRuleReward({"<a_1><b_2><c_3>", "<a_5><b_6><c_7>", "<a_1><b_8><c_8>", "<a_1><b_2><c_9>"});
}
const char* kTruth = "<a_1><b_2><c_3>";

double score(const std::string& answer) {
  return step_rule().score_one("<think>\nreasons\n</think>\n\n" + answer, kTruth);
}

TEST(StepRuleReward, EveryOneOfTheEightValues) {
  EXPECT_DOUBLE_EQ(step_rule().score_one("no closing tag <a_1><b_2><c_3>", kTruth), 0.0);  // unparseable
  EXPECT_DOUBLE_EQ(score("<a_9><b_9><c_9>"), 0.0);   // parsed, no credit, not a catalog SID
  EXPECT_DOUBLE_EQ(score("<a_5><b_6><c_7>"), 0.1);   // no credit, valid
  EXPECT_DOUBLE_EQ(score("<a_1><b_9><c_9>"), 0.25);  // first level, invalid
  EXPECT_DOUBLE_EQ(score("<a_1><b_8><c_8>"), 0.35);  // first level, valid
  EXPECT_DOUBLE_EQ(score("<a_1><b_2><c_8>"), 0.5);   // two levels, invalid
  EXPECT_DOUBLE_EQ(score("<a_1><b_2><c_9>"), 0.6);   // two levels, valid
  EXPECT_DOUBLE_EQ(score("<a_1><b_2><c_3>"), 1.1);   // the hit (always valid)
}

TEST(StepRuleReward, CreditIsByPrefixOnly) {
  // A deeper level matching after a mismatch earns nothing (the reference's test: <a_1><b_9><c_3> -> 0.25).
  EXPECT_DOUBLE_EQ(score("<a_1><b_9><c_3>"), 0.25);
  EXPECT_DOUBLE_EQ(score("<a_9><b_2><c_3>"), 0.0);
}

TEST(StepRuleReward, ParsesAsTheReferenceRegexDoes) {
  EXPECT_FALSE(step_rule_answer("</think><a_1><b_2>"));         // two tokens: None
  EXPECT_FALSE(step_rule_answer("<a_1><b_2><c_3>"));            // no </think>: None
  auto a = step_rule_answer("</think>x<a_1> y <b_2><>\n<c_3><d_4>");  // first 3 of <[^>]+>, "<>" never matches
  ASSERT_TRUE(a);
  EXPECT_EQ((*a)[0] + (*a)[1] + (*a)[2], "<a_1><b_2><c_3>");
  EXPECT_EQ(angle_tokens("<<a_1>>", 5), std::vector<std::string>{"<<a_1>"});  // [^>] takes the inner '<'
  // The first </think> of the window: the answer after it, not after a later one.
  auto b = step_rule_answer("</think><a_1><b_2><c_3></think><a_5><b_6><c_7>");
  ASSERT_TRUE(b);
  EXPECT_EQ((*b)[0], "<a_1>");
}

TEST(StepRuleReward, OnlyTheLastFiftyCharactersCount) {
  std::string answer = "</think>\n\n<a_1><b_2><c_3>";  // 25 characters
  EXPECT_DOUBLE_EQ(step_rule().score_one(std::string(25, 'x') + answer, kTruth), 1.1);  // exactly 50: kept
  EXPECT_DOUBLE_EQ(step_rule().score_one(std::string(26, 'x') + answer + std::string(1, ' '), kTruth), 1.1);
  // "</think>" starting at character 51 from the end is cut: "/think>..." has no closing tag.
  EXPECT_DOUBLE_EQ(step_rule().score_one(answer + std::string(25, ' ') + "x", kTruth), 0.0);
  // Characters, not bytes: "</think>" + 21 x "é" + the SID is 44 characters (kept whole) but 65 bytes, so a
  // window of 50 bytes would lose "</think>".
  std::string accents;
  for (int i = 0; i < 21; ++i) accents += "\xC3\xA9";
  EXPECT_DOUBLE_EQ(step_rule().score_one("</think>" + accents + kTruth, kTruth), 1.1);
  // Characters in front of it leave the window first; 7 more "é" after it (51 characters) push out its '<'.
  EXPECT_DOUBLE_EQ(step_rule().score_one("abcdefg</think>" + accents + kTruth, kTruth), 1.1);
  EXPECT_DOUBLE_EQ(step_rule().score_one("</think>" + accents + "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9" + kTruth, kTruth), 0.0);
}

TEST(RankingReward, PenaltyTableForSixteenSumsToMinusOne) {
  auto p = ranking_penalties(16);
  ASSERT_EQ(p.size(), 16u);
  double sum = 0;
  for (double v : p) sum += v;
  EXPECT_NEAR(sum, -1.0, 1e-12);
  // The reference table (minionerec.md §8.3), 5 decimals.
  const double table[16] = {-0.16377, -0.10333, -0.08189, -0.07053, -0.06336, -0.05834, -0.05459, -0.05166,
                            -0.04930, -0.04734, -0.04568, -0.04426, -0.04302, -0.04192, -0.04094, -0.04007};
  for (int j = 0; j < 16; ++j) EXPECT_NEAR(p[j], table[j], 5e-6) << j;
  double total = 0;
  for (int j = 0; j < 16; ++j) total += 1.0 / std::log2(j + 2.0);
  EXPECT_NEAR(total, 6.105999, 1e-6);
}

TEST(RankingReward, HitOneMissPenaltyGroupWithoutHitZero) {
  RankingReward ranking;
  RewardGroup g{3, kTruth, {"<a_5><b_6><c_7>\n", "<a_1><b_2><c_3>\n", "\"<a_1><b_8><c_8>\" "}};
  auto p = ranking_penalties(3);
  auto r = ranking.score(g);
  EXPECT_DOUBLE_EQ(r[0], p[0]);
  EXPECT_DOUBLE_EQ(r[1], 1.0);
  EXPECT_DOUBLE_EQ(r[2], p[2]);
  g.completions[1] = "<a_1><b_2><c_4>";
  for (double v : ranking.score(g)) EXPECT_EQ(v, 0.0);
  RuleReward rule;
  g.completions = {" \"<a_1><b_2><c_3>\"\n", "<a_1><b_2><c_3>x"};
  EXPECT_EQ(rule.score(g), (std::vector<double>{1.0, 0.0}));
}

TEST(ExactMatchReward, TheAnswerAfterTheThoughtOrTheWholeText) {
  ExactMatchReward exact;
  RewardGroup g{0, kTruth, {"<think>\nx\n</think>\n\n<a_1><b_2><c_3>", "<a_1><b_2><c_3>\n", "<a_1><b_2><c_3><d_1>",
                            "</think><a_1><b_2><c_9>"}};
  EXPECT_EQ(exact.score(g), (std::vector<double>{1.0, 1.0, 0.0, 0.0}));
}

class BrokenReward : public Reward {
 public:
  explicit BrokenReward(int mode) : mode_(mode) {}
  std::string name() const override { return "broken"; }
  std::vector<double> score(const RewardGroup& group) const override {
    if (mode_ == 0) throw std::runtime_error("model file missing");
    std::vector<double> v(group.completions.size(), 0.5);
    if (mode_ == 1) v[1] = std::numeric_limits<double>::quiet_NaN();
    if (mode_ == 2) v.pop_back();
    if (mode_ == 3) v[0] = std::numeric_limits<double>::infinity();
    return v;
  }

 private:
  int mode_;
};

TEST(CheckedScore, ThrowsNaNOrWrongCountStopWithThePromptRow) {
  RewardGroup g{17, kTruth, {"a", "b"}};
  for (int mode = 0; mode < 4; ++mode) {
    try {
      checked_score(BrokenReward(mode), g);
      FAIL() << "mode " << mode << " passed";
    } catch (const Error& e) {
      std::string what = e.what();
      EXPECT_NE(what.find("prompt row 17"), std::string::npos) << what;
      EXPECT_NE(what.find("'broken'"), std::string::npos) << what;
      EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    }
  }
  EXPECT_EQ(checked_score(RuleReward(), g), (std::vector<double>{0.0, 0.0}));
}

TEST(MakeReward, KnownNamesAndOneLineErrorOtherwise) {
  for (const char* name : {"step_rule", "rule", "ranking", "exact"}) EXPECT_EQ(make_reward(name, {})->name(), name);
  EXPECT_THROW(make_reward("cosine", {}), InputError);
}

}  // namespace
}  // namespace sidr::rl
