// decode::generate on the toy model: n samples per prompt against n separate prompts (same distribution, chi-square
// against the exact two-token distribution), per-token log-probs against brute force, finished rows leaving the
// batch, the constraint; saved rows continued (close_thought); beam search dropping finished prompts.
#include "decode/generate.h"

#include <cmath>
#include <map>
#include <memory>

#include <gtest/gtest.h>

#include "counting_model.h"
#include "decode/beam_search.h"
#include "decode/constraint.h"
#include "decode/sid_search.h"
#include "sid/trie.h"
#include "toy_model.h"

namespace sidr::decode {
namespace {

using testing::CountingModel;
using testing::ToyModel;

constexpr std::int64_t kVocab = 8;
constexpr double kTemperature = 0.8;
constexpr std::int64_t kDraws = 20000;

// p(token | history) of the toy model at the test's temperature, in double.
std::vector<double> next_distribution(const ToyModel& model, const std::vector<TokenId>& history, double t) {
  auto logits = model.logits_after(history).to(torch::kFloat64) / t;
  auto p = logits.softmax(-1);
  return std::vector<double>(p.data_ptr<double>(), p.data_ptr<double>() + p.numel());
}

// Chi-square of the two-token sequences of `gens` against the exact joint p(t1) p(t2 | t1); cells expected
// below 5 draws are pooled into one.
std::pair<double, int> joint_chi_square(const ToyModel& model, const std::vector<TokenId>& prompt,
                                        const std::vector<Generation>& gens) {
  std::map<std::pair<TokenId, TokenId>, double> counts;
  for (const auto& g : gens) counts[{g.tokens.at(0), g.tokens.at(1)}] += 1;
  const auto first = next_distribution(model, prompt, kTemperature);
  double stat = 0, pooled_expected = 0, pooled_count = 0;
  int cells = 0;
  for (TokenId a = 0; a < kVocab; ++a) {
    auto history = prompt;
    history.push_back(a);
    const auto second = next_distribution(model, history, kTemperature);
    for (TokenId b = 0; b < kVocab; ++b) {
      double e = first[static_cast<std::size_t>(a)] * second[static_cast<std::size_t>(b)] * static_cast<double>(gens.size());
      double c = counts.count({a, b}) ? counts[{a, b}] : 0.0;
      if (e < 5) {
        pooled_expected += e;
        pooled_count += c;
        continue;
      }
      stat += (c - e) * (c - e) / e;
      ++cells;
    }
  }
  if (pooled_expected > 0) {
    stat += (pooled_count - pooled_expected) * (pooled_count - pooled_expected) / pooled_expected;
    ++cells;
  }
  return {stat, cells - 1};
}

double critical_value(int df) {  // chi-square quantile at 1 - 1e-3 (Wilson-Hilferty)
  const double z = 3.0902, a = 2.0 / (9.0 * df);
  return df * std::pow(1 - a + z * std::sqrt(a), 3);
}

GenerateOptions sampling_options(int samples, std::uint64_t seed) {
  GenerateOptions o;
  o.max_new_tokens = 2;
  o.samples = samples;
  o.sample = true;
  o.sampling.temperature = kTemperature;
  o.seed = seed;
  return o;
}

TEST(Generate, NSamplesPerPromptMatchSeparatePrompts) {
  ToyModel toy(kVocab, 21, 1.0f);
  const std::vector<TokenId> prompt{3, 4};
  CountingModel expanded(toy);
  auto many = generate(expanded, {prompt}, sampling_options(static_cast<int>(kDraws), 1));
  ASSERT_EQ(many.size(), static_cast<std::size_t>(kDraws));
  EXPECT_EQ(expanded.prefill_tokens, 2);  // one prefill for all the samples
  auto [stat, df] = joint_chi_square(toy, prompt, many);
  EXPECT_LT(stat, critical_value(df)) << "n samples: chi-square " << stat << " on " << df << " df";

  CountingModel separate(toy);
  std::vector<std::vector<TokenId>> copies(static_cast<std::size_t>(kDraws), prompt);
  auto apart = generate(separate, copies, sampling_options(1, 2));
  EXPECT_EQ(separate.prefill_tokens, 2 * kDraws);
  auto [stat2, df2] = joint_chi_square(toy, prompt, apart);
  EXPECT_LT(stat2, critical_value(df2)) << "separate prompts: chi-square " << stat2 << " on " << df2 << " df";

  // The test can fail: the n-sample draws against the temperature-1 joint are rejected.
  ToyModel same(kVocab, 21, 1.0f);
  std::map<std::pair<TokenId, TokenId>, double> counts;
  for (const auto& g : many) counts[{g.tokens[0], g.tokens[1]}] += 1;
  double wrong = 0;
  int wrong_cells = 0;
  const auto first = next_distribution(same, prompt, 1.0);
  for (TokenId a = 0; a < kVocab; ++a) {
    auto h = prompt;
    h.push_back(a);
    const auto second = next_distribution(same, h, 1.0);
    for (TokenId b = 0; b < kVocab; ++b) {
      double e = first[static_cast<std::size_t>(a)] * second[static_cast<std::size_t>(b)] * kDraws;
      if (e < 5) continue;
      double c = counts.count({a, b}) ? counts[{a, b}] : 0.0;
      wrong += (c - e) * (c - e) / e;
      ++wrong_cells;
    }
  }
  EXPECT_GT(wrong, critical_value(wrong_cells - 1));

  // Log-probs of both ways against brute force: the model's own, and under the tempered distribution.
  for (const auto* gens : {&many, &apart}) {
    for (std::size_t g = 0; g < 50; ++g) {
      const auto& gen = (*gens)[g];
      ASSERT_EQ(gen.log_probs.size(), 2u);
      ASSERT_EQ(gen.model_log_probs.size(), 2u);
      auto history = prompt;
      for (std::size_t t = 0; t < 2; ++t) {
        auto raw = next_distribution(toy, history, 1.0);
        auto tempered = next_distribution(toy, history, kTemperature);
        EXPECT_NEAR(gen.model_log_probs[t], std::log(raw[static_cast<std::size_t>(gen.tokens[t])]), 1e-5);
        EXPECT_NEAR(gen.log_probs[t], std::log(tempered[static_cast<std::size_t>(gen.tokens[t])]), 1e-5);
        history.push_back(gen.tokens[t]);
      }
    }
  }
}

TEST(Generate, StoppedRowsLeaveTheBatch) {
  ToyModel toy(kVocab, 5, 1.0f);
  CountingModel counting(toy);
  GenerateOptions o = sampling_options(200, 3);
  o.max_new_tokens = 6;
  o.stop_tokens = {2, 5};
  auto gens = generate(counting, {{1, 6}, {7}}, o);
  ASSERT_EQ(gens.size(), 400u);
  // Call k >= 1 (step k) runs the generations that have k tokens and did not stop at the k-th.
  for (std::size_t k = 1; k < counting.batch_rows.size(); ++k) {
    std::int64_t running = 0;
    for (const auto& g : gens) running += g.tokens.size() > k ? 1 : 0;
    EXPECT_EQ(counting.batch_rows[k], running) << "step " << k;
  }
  bool stopped_early = false;
  for (const auto& g : gens) {
    bool stops = g.tokens.back() == 2 || g.tokens.back() == 5;
    EXPECT_EQ(g.reason == StopReason::StopToken, stops);
    if (stops && g.tokens.size() < 6) stopped_early = true;
    for (std::size_t t = 0; t + 1 < g.tokens.size(); ++t) EXPECT_TRUE(g.tokens[t] != 2 && g.tokens[t] != 5);
  }
  EXPECT_TRUE(stopped_early);
  EXPECT_EQ(counting.batch_rows[0], 2);  // the two prompts, once each
}

TEST(Generate, OnTokenSeesEveryTokenOfEveryRowInOrder) {
  ToyModel toy(kVocab, 5, 1.0f);
  GenerateOptions o = sampling_options(30, 4);
  o.max_new_tokens = 6;
  o.stop_tokens = {2, 5};
  const auto plain = generate(toy, {{1, 6}, {7}}, o);
  std::vector<std::vector<TokenId>> seen(plain.size());
  std::vector<std::size_t> order;  // the generation of each call, to check generation order within a step
  o.on_token = [&](std::size_t g, TokenId token) {
    seen.at(g).push_back(token);
    order.push_back(g);
    return true;
  };
  const auto watched = generate(toy, {{1, 6}, {7}}, o);
  std::size_t calls = 0;
  for (std::size_t g = 0; g < plain.size(); ++g) {
    EXPECT_EQ(watched[g].tokens, plain[g].tokens) << "the callback changed generation " << g;
    EXPECT_EQ(seen[g], watched[g].tokens) << "generation " << g;  // the stop token included
    calls += seen[g].size();
  }
  EXPECT_EQ(order.size(), calls);
  // Within one step the rows come in increasing generation order: a step's calls are a strictly increasing run.
  std::size_t runs = 1;
  for (std::size_t i = 1; i < order.size(); ++i) runs += order[i] <= order[i - 1] ? 1 : 0;
  EXPECT_LE(runs, 6u);
}

TEST(Generate, OnTokenReturningFalseCancelsTheRemainingRows) {
  ToyModel toy(kVocab, 5, 1.0f);
  CountingModel counting(toy);
  GenerateOptions o = sampling_options(1, 6);
  o.sample = false;  // greedy: the uncancelled run is the reference
  o.max_new_tokens = 40;
  const auto full = generate(toy, {{1, 6}, {7, 3}}, o);
  int calls = 0;
  o.on_token = [&](std::size_t, TokenId) { return ++calls < 5; };  // the 5th call (step 3, row 0) says stop
  const auto cut = generate(counting, {{1, 6}, {7, 3}}, o);
  ASSERT_EQ(cut.size(), 2u);
  for (std::size_t g = 0; g < 2; ++g) {
    ASSERT_EQ(full[g].tokens.size(), 40u) << "the toy model stopped early; the case needs a longer run";
    ASSERT_EQ(cut[g].tokens.size(), 3u) << "generation " << g;
    EXPECT_EQ(cut[g].reason, StopReason::Cancelled);
    EXPECT_EQ(std::vector<TokenId>(full[g].tokens.begin(), full[g].tokens.begin() + 3), cut[g].tokens);
    EXPECT_EQ(cut[g].log_probs.size(), 3u);
  }
  EXPECT_EQ(counting.batch_rows.size(), 3u);  // prefill, then steps 1 and 2: no model call after the cancel
}

TEST(Generate, ConstrainedLogProbsAreRenormalisedOverAllowedTokens) {
  ToyModel toy(kVocab, 9, 1.0f);
  auto trie = std::make_shared<sid::Trie>(sid::Trie::build({{3, 4, 7}, {3, 5, 7}, {6, 1, 7}}));
  TrieConstraint constraint(trie, 7);
  GenerateOptions o = sampling_options(300, 4);
  o.max_new_tokens = 4;
  o.stop_tokens = {7};
  auto gens = generate(toy, {{2, 2}}, o, &constraint);
  for (const auto& g : gens) {
    ASSERT_EQ(g.tokens.size(), 3u);
    EXPECT_TRUE(trie->is_terminal(trie->walk(g.tokens)));
    std::vector<TokenId> history{2, 2};
    sid::NodeId node = trie->root();
    for (std::size_t t = 0; t < 3; ++t) {
      auto p = next_distribution(toy, history, kTemperature);
      double allowed = 0;
      for (const TokenId* c = trie->tokens_begin(node); c != trie->tokens_end(node); ++c)
        allowed += p[static_cast<std::size_t>(*c)];
      EXPECT_NEAR(g.log_probs[t], std::log(p[static_cast<std::size_t>(g.tokens[t])] / allowed), 1e-4);
      node = trie->child(node, g.tokens[t]);
      history.push_back(g.tokens[t]);
    }
  }
}

TEST(Generate, SavedRowsContinueWithForgottenAndNewTokens) {
  ToyModel toy(kVocab, 13, 1.0f);
  GenerateOptions o = sampling_options(3, 8);
  o.max_new_tokens = 5;
  o.stop_tokens = {1};
  o.keep_state = true;
  const std::vector<std::vector<TokenId>> prompts{{2, 3}, {4}};
  auto gens = generate(toy, prompts, o);
  std::vector<Continuation> rows;
  std::vector<std::vector<TokenId>> expected;
  for (std::size_t g = 0; g < gens.size(); ++g) {
    ASSERT_TRUE(gens[g].saved);
    Continuation c{gens[g].saved, gens[g].saved_row, 0, {6, static_cast<TokenId>(g % kVocab)}};
    auto history = prompts[g / 3];
    history.insert(history.end(), gens[g].tokens.begin(), gens[g].tokens.end() - 1);  // the last is not fed
    if (gens[g].tokens.size() >= 3) {
      c.forget = 1;
      history.pop_back();
    }
    history.insert(history.end(), c.tokens.begin(), c.tokens.end());
    rows.push_back(c);
    expected.push_back(history);
  }
  auto logits = toy.resume(rows);
  EXPECT_EQ(toy.histories(), expected);
  for (std::size_t r = 0; r < expected.size(); ++r)
    EXPECT_TRUE(torch::equal(logits[static_cast<std::int64_t>(r)], toy.logits_after(expected[r])));
}

// close_thought against the reference's rule written on id lists: context = prompt + the thought without
// "</think>" and without trailing whitespace tokens, + the closing ids, right-truncated.
TEST(CloseThought, ContextIsTheStrippedThoughtAndTheClosing) {
  constexpr TokenId kClose = 20, kEnd = 21, kSpace = 22, kNewline = 23, kDouble = 24;
  ThoughtClosing closing;
  closing.close_think = kClose;
  closing.close_ids = {kNewline, kClose, kDouble};
  closing.is_whitespace = [&](TokenId t) { return t == kSpace || t == kNewline || t == kDouble; };
  const std::vector<TokenId> prompt{1, 2, 3};
  struct Case {
    std::vector<TokenId> generated;
    std::size_t max_total;
  };
  const std::vector<Case> cases{
      {{5, 6, kNewline, kClose}, 100},           // closed after "\n": "\n" kept, "</think>\n\n" fed
      {{5, 6, kClose}, 100},                     // closed without whitespace
      {{5, kSpace, kNewline, kClose}, 100},      // two trailing whitespace tokens
      {{5, 6, 7, 8}, 100},                       // budget spent: the last token is fed
      {{5, 6, kNewline}, 100},                   // budget spent on whitespace
      {{5, kSpace, kEnd}, 100},                  // the end token stays (not whitespace), and so does " "
      {{5, 6, 7, 8, kNewline, kClose}, 9},       // truncated inside the closing ids
      {{5, 6, 7, 8, 9, 10, kClose}, 6},          // truncated inside the thought
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto& gen_tokens = cases[i].generated;
    // The truth, by the rule.
    std::vector<TokenId> thought(gen_tokens.begin(), gen_tokens.end());
    if (thought.back() == kClose) thought.pop_back();
    while (!thought.empty() && closing.is_whitespace(thought.back())) thought.pop_back();
    std::vector<TokenId> truth = prompt;
    truth.insert(truth.end(), thought.begin(), thought.end());
    truth.insert(truth.end(), closing.close_ids.begin(), closing.close_ids.end());
    if (truth.size() > cases[i].max_total) truth.resize(cases[i].max_total);
    // A toy "generation" whose saved state is prompt + every generated token but the last.
    ToyModel toy(32, 1);
    GenerateOptions o;
    o.max_new_tokens = 1;
    o.keep_state = true;
    auto start = prompt;
    start.insert(start.end(), gen_tokens.begin(), gen_tokens.end() - 1);
    Generation gen = generate(toy, {start}, o)[0];
    gen.tokens = gen_tokens;
    closing.max_total_tokens = cases[i].max_total;
    auto c = close_thought(gen, prompt.size(), closing);
    toy.resume({c});
    EXPECT_EQ(toy.histories()[0], truth) << "case " << i;
    if (i == 0) {
      EXPECT_EQ(c.forget, 0);  // the thought's "\n" is the closing's first token: kept, not fed again
      EXPECT_EQ(c.tokens, (std::vector<TokenId>{kClose, kDouble}));
    }
  }
}

// Beam search stops computing prompts that are done: with one beam, a prompt whose best path is short leaves the
// batch while the other still runs, and each result equals the prompt searched alone.
TEST(BeamSearchDropsFinishedPrompts, ShortPromptLeavesTheBatch) {
  constexpr TokenId kNewline = 1, kEnd = 2;
  ToyModel toy(40, 11);
  auto trie = std::make_shared<sid::Trie>(
      sid::Trie::build({{10, kNewline, kEnd}, {11, 15, 16, 17, 18, kNewline, kEnd}}));
  // One prompt that prefers 10 (short path), one that prefers 11 (long path).
  std::vector<TokenId> short_prompt, long_prompt;
  for (TokenId a = 3; a < 40 && (short_prompt.empty() || long_prompt.empty()); ++a) {
    auto l = toy.logits_after({a, a});
    bool prefers_short = l[10].item<float>() > l[11].item<float>();
    if (prefers_short && short_prompt.empty()) short_prompt = {a, a};
    if (!prefers_short && long_prompt.empty()) long_prompt = {a, a};
  }
  ASSERT_FALSE(short_prompt.empty());
  ASSERT_FALSE(long_prompt.empty());
  BeamSearchOptions options;
  options.beams = 1;
  options.end_tokens = {kEnd};
  TrieConstraint constraint(trie, kEnd);
  CountingModel counting(toy);
  auto both = beam_search(counting, {short_prompt, long_prompt}, &constraint, options);
  auto alone_short = beam_search(toy, {short_prompt}, &constraint, options);
  auto alone_long = beam_search(toy, {long_prompt}, &constraint, options);
  EXPECT_EQ(both[0][0].tokens, alone_short[0][0].tokens);
  EXPECT_EQ(both[1][0].tokens, alone_long[0][0].tokens);
  EXPECT_FLOAT_EQ(both[0][0].score, alone_short[0][0].score);
  EXPECT_FLOAT_EQ(both[1][0].score, alone_long[0][0].score);
  ASSERT_EQ(both[0][0].tokens.size(), 3u);
  ASSERT_EQ(both[1][0].tokens.size(), 7u);
  // start (2 rows), steps 1-2 (2 rows), then the short prompt is done: steps 3-6 run one row.
  EXPECT_EQ(counting.batch_rows, (std::vector<std::int64_t>{2, 2, 2, 1, 1, 1, 1}));
}

}  // namespace
}  // namespace sidr::decode
