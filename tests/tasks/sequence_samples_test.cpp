// The sequence style's T1 against brute force: expanding every sample into (text before a supervised SID,
// that SID) pairs must give exactly the multiset of the rows' (sequence-style evaluation prompt, target) pairs,
// so each row is taught once, after exactly the text evaluation will feed for it.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <utility>

#include "data/dataset.h"
#include "data/interactions.h"
#include "tasks/builders.h"
#include "tasks/eval_prompts.h"
#include "tasks/prompts.h"
#include "tasks/task.h"

namespace sidr::tasks {
namespace {

using Pairs = std::map<std::pair<std::string, std::string>, int>;

// SIDs back to back: each starts at "<a_".
std::vector<std::string> split_sids(const std::string& text) {
  std::vector<std::string> out;
  std::size_t pos = text.find("<a_");
  while (pos != std::string::npos) {
    const std::size_t next = text.find("<a_", pos + 1);
    out.push_back(text.substr(pos, next == std::string::npos ? std::string::npos : next - pos));
    pos = next;
  }
  return out;
}

Pairs pairs_of_samples(const std::vector<TextSample>& samples) {
  Pairs pairs;
  for (const auto& s : samples) {
    EXPECT_EQ(s.prefix.rfind(kSequenceStart, 0), 0u) << s.prefix;
    EXPECT_TRUE(s.suffix.empty());
    std::string context = s.prefix;
    for (const auto& sid : split_sids(s.supervised)) {
      ++pairs[{context, sid}];
      context += sid;
    }
  }
  return pairs;
}

Pairs pairs_of_rows(const data::Interactions& rows) {
  EvalPromptOptions options;
  options.style = PromptStyle::Sequence;
  options.eval_style = EvalPromptStyle::Training;
  Pairs pairs;
  for (std::size_t i = 0; i < rows.rows.size(); ++i) {
    const auto prompt = build_eval_prompt(rows.rows[i], i, options);
    EXPECT_TRUE(prompt.think_block.empty());
    ++pairs[{prompt.text(), prompt.target_sid}];
  }
  return pairs;
}

std::string sid(int n) { return "<a_" + std::to_string(n) + "><b_" + std::to_string(n % 7) + "><c_1>"; }

data::Interaction row(const std::string& user, const std::vector<int>& history, int target) {
  data::Interaction r;
  r.user_id = user;
  for (int h : history) r.history_sids.push_back(sid(h));
  r.item_sid = sid(target);
  return r;
}

// The sliding-window rows of one user's sequence, histories capped at 10 items (how the splits are made).
void add_user(data::Interactions& rows, const std::string& user, const std::vector<int>& items) {
  for (std::size_t t = 1; t < items.size(); ++t) {
    const std::size_t from = t > 10 ? t - 10 : 0;
    rows.rows.push_back(row(user, std::vector<int>(items.begin() + from, items.begin() + t), items[t]));
  }
}

TEST(SequenceSamples, EdgeCasesTeachEveryRowOnceWithItsOwnContext) {
  data::Interactions rows;
  std::vector<int> long_user;
  for (int i = 0; i < 14; ++i) long_user.push_back(100 + i);
  add_user(rows, "long", long_user);             // 13 rows; the last 3 have histories not starting at item 0
  add_user(rows, "short", {1, 2, 3, 4});         // 3 rows: one sample
  add_user(rows, "same-prefix", {1, 2, 3, 9});   // shares two rows' texts with "short" but is another user
  rows.rows.push_back(row("short", {1, 2}, 3));  // a duplicate row: taught twice
  rows.rows.push_back(row("gap", {5, 6, 7}, 8)); // a run with a missing row (no {5,6} -> 7)...
  rows.rows.push_back(row("gap", {5}, 6));       // ...so the claim before the gap gets its own sample
  const auto samples = build_t1_sequences(rows);
  EXPECT_EQ(pairs_of_samples(samples), pairs_of_rows(rows));
  // long: 1 run of 11 items + 3 windows; short: 1 (+1 duplicate); same-prefix: 1; gap: 2.
  EXPECT_EQ(samples.size(), 4u + 2u + 1u + 2u);
  for (std::size_t i = 1; i < samples.size(); ++i) EXPECT_LE(samples[i - 1].source, samples[i].source);
}

TEST(SequenceSamples, TheShippedTrainSplitIsTaughtExactlyInAFifthOfTheSamples) {
  const data::DatasetPaths paths{std::string(SIDR_TEST_DIR) + "/../data/Amazon", "Industrial_and_Scientific"};
  const auto train = data::Interactions::load(paths.interactions(data::Split::Train));
  const auto samples = build_t1_sequences(train);
  EXPECT_EQ(pairs_of_samples(samples), pairs_of_rows(train));
  EXPECT_LT(samples.size() * 4, train.rows.size());  // 8,943 samples for 36,259 rows
}

TEST(SequenceSamples, StyleRoutesT1AndTheEvaluationPrompt) {
  data::Interactions rows;
  add_user(rows, "u", {1, 2, 3});
  TaskContext ctx;
  ctx.style = PromptStyle::Sequence;
  const auto samples = build_t1(rows, ctx);
  ASSERT_EQ(samples.size(), 1u);
  EXPECT_EQ(samples[0].prefix, "<|im_start|>" + sid(1));
  EXPECT_EQ(samples[0].supervised, sid(2) + sid(3));
  EXPECT_EQ(parse_prompt_style("sequence"), PromptStyle::Sequence);
  EXPECT_STREQ(prompt_style_name(PromptStyle::Sequence), "sequence");
  EvalPromptOptions options;
  options.style = PromptStyle::Sequence;
  EXPECT_STREQ(eval_sid_separator(options), "");
  EXPECT_EQ(build_eval_prompt(rows.rows[1], 1, options).text(), "<|im_start|>" + sid(1) + sid(2));
}

}  // namespace
}  // namespace sidr::tasks
