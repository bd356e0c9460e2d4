// Marginalised thinking mode on a tiny random Qwen3 against brute force: every thought's log p(thought) and
// every SID's log p(SID | closed thought) from full forwards without cache, the marginal summed by hand.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <gtest/gtest.h>

#include "decode/lm_step_model.h"
#include "toy_model.h"
#include "decode/marginal_search.h"
#include "model/checkpoint.h"
#include "../model/model_test_util.h"
#include "util/error.h"

namespace sidr::decode {
namespace {

constexpr TokenId kNewline = 1;    // "\n"
constexpr TokenId kEnd = 2;        // <|im_end|>
constexpr TokenId kCloseThink = 5; // </think>
constexpr TokenId kBlank = 6;      // "\n\n"

model::ModelConfig tiny_config() {
  model::ModelConfig c = model::testing::tiny_config();
  c.eos_token_id = -1;
  c.initializer_range = 0.5;  // peaked, distinct log-probs
  return c;
}

// 12 SIDs "<a_i><b_j><c_k>" over level tokens a_i = 10 + i, b_j = 20 + j, c_k = 30 + k.
std::vector<std::string> sid_strings() {
  std::vector<std::string> out;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 2; ++j)
      for (int k = 0; k < 2; ++k)
        out.push_back("<a_" + std::to_string(i) + "><b_" + std::to_string(j + i) + "><c_" + std::to_string(k + j) +
                      ">");
  return out;
}

sid::SidTrie sid_trie() {
  auto lookup = [](std::string_view token) -> std::optional<TokenId> {
    const int base = token[1] == 'a' ? 10 : token[1] == 'b' ? 20 : 30;
    return base + std::stoi(std::string(token.substr(3, token.size() - 4)));
  };
  return sid::SidTrie::build(sid_strings(), lookup, {kNewline, kEnd});
}

std::vector<TokenId> sid_path(const std::string& sid) {
  std::vector<TokenId> path;
  for (const auto& t : sid::split_sid_tokens(sid)) {
    const int base = t[1] == 'a' ? 10 : t[1] == 'b' ? 20 : 30;
    path.push_back(base + std::stoi(t.substr(3, t.size() - 4)));
  }
  path.push_back(kNewline);
  path.push_back(kEnd);
  return path;
}

ThoughtClosing closing() {
  ThoughtClosing c;
  c.close_think = kCloseThink;
  c.close_ids = {kNewline, kCloseThink, kBlank};
  c.max_total_tokens = 1000;
  c.is_whitespace = [](TokenId t) { return t == kNewline || t == kBlank; };
  return c;
}

double brute_force(model::Qwen3& m, const std::vector<TokenId>& prompt, const std::vector<TokenId>& seq) {
  torch::NoGradGuard no_grad;
  std::vector<std::int64_t> ids(prompt.begin(), prompt.end());
  ids.insert(ids.end(), seq.begin(), seq.end());
  auto input = torch::tensor(ids, torch::kInt64).view({1, -1});
  auto lp = m->forward(input, torch::ones_like(input))[0].log_softmax(-1).to(torch::kFloat64);
  double total = 0;
  for (std::size_t k = 0; k < seq.size(); ++k)
    total += lp[static_cast<std::int64_t>(prompt.size() + k - 1)][seq[k]].item<double>();
  return total;
}

// The context the reference's closing gives (no truncation here): prompt + thought without "</think>", less
// trailing whitespace tokens, + "\n</think>\n\n". Written out independently of close_thought.
std::vector<TokenId> closed_context(const std::vector<TokenId>& prompt, std::vector<TokenId> thought) {
  if (!thought.empty() && thought.back() == kCloseThink) thought.pop_back();
  while (!thought.empty() && (thought.back() == kNewline || thought.back() == kBlank)) thought.pop_back();
  std::vector<TokenId> ctx = prompt;
  ctx.insert(ctx.end(), thought.begin(), thought.end());
  ctx.insert(ctx.end(), {kNewline, kCloseThink, kBlank});
  return ctx;
}

double log_sum_exp(const std::vector<double>& xs) {
  double hi = *std::max_element(xs.begin(), xs.end());
  double s = 0;
  for (double x : xs) s += std::exp(x - hi);
  return hi + std::log(s);
}

// Checks one prompt's result: thoughts distinct, log p(t) exact, every SID's marginal exact (full beam), and
// the ranking sorted by it. plain_prompt / weight: the pooled mixture.
void expect_brute_force(model::Qwen3& m, const std::vector<TokenId>& prompt, const MarginalResult& r,
                        const std::vector<TokenId>* plain_prompt = nullptr, double weight = 0) {
  ASSERT_FALSE(r.thoughts.empty());
  std::set<std::vector<TokenId>> distinct;
  for (const auto& t : r.thoughts) {
    EXPECT_TRUE(distinct.insert(t.tokens).second) << "a thought is counted twice";
    EXPECT_NEAR(t.log_prob, brute_force(m, prompt, t.tokens), 2e-3);
    EXPECT_EQ(t.closed, t.tokens.back() == kCloseThink);
  }
  for (std::size_t i = 1; i < r.thoughts.size(); ++i) EXPECT_GE(r.thoughts[i - 1].log_prob, r.thoughts[i].log_prob);
  const auto sids = sid_strings();
  ASSERT_EQ(r.predictions.size(), sids.size());
  std::map<std::string, double> truth;
  for (const auto& sid : sids) {
    std::vector<double> terms;
    for (const auto& t : r.thoughts)
      terms.push_back(brute_force(m, prompt, t.tokens) + brute_force(m, closed_context(prompt, t.tokens), sid_path(sid)));
    double think = log_sum_exp(terms);
    truth[sid] = plain_prompt ? log_sum_exp({std::log(1 - weight) + think,
                                             std::log(weight) + brute_force(m, *plain_prompt, sid_path(sid))})
                              : think;
  }
  for (std::size_t i = 0; i < r.predictions.size(); ++i) {
    EXPECT_NEAR(r.predictions[i].score, truth.at(r.predictions[i].sid), 3e-3) << r.predictions[i].sid;
    if (i > 0) EXPECT_GE(truth.at(r.predictions[i - 1].sid) + 3e-3, truth.at(r.predictions[i].sid));
  }
}

struct World {
  model::Qwen3 m = model::init_model(tiny_config(), 17);
  sid::SidTrie trie = sid_trie();
  std::vector<std::vector<TokenId>> prompts{{3, 4, 7, 8, 9}, {3, 4, 40, 41}, {44, 45, 46, 47, 48, 49}};
  BeamSearchOptions beams;
  World() {
    m->eval();
    beams.beams = 12;  // every SID: each thought's search is exhaustive
    beams.end_tokens = {kEnd};
  }
};

TEST(MarginalisedSearch, SampledThoughtsGiveTheBruteForceMarginal) {
  World s;
  LmStepModel step(s.m, 0);
  ThoughtSearchOptions o;
  o.thoughts = 6;
  o.max_thought_tokens = 3;
  o.temperature = 1.7;  // sampled hot, scored by the model itself: a tempered log p(t) would fail the check
  o.seed = 5;
  auto results = marginalised_search(step, s.trie, kEnd, s.prompts, {}, closing(), o, s.beams);
  ASSERT_EQ(results.size(), s.prompts.size());
  std::size_t total = 0;
  for (std::size_t p = 0; p < results.size(); ++p) {
    EXPECT_LE(results[p].thoughts.size(), 6u);
    total += results[p].thoughts.size();
    expect_brute_force(s.m, s.prompts[p], results[p]);
  }
  EXPECT_GT(total, s.prompts.size());  // several thoughts per prompt, not one
}

TEST(MarginalisedSearch, BeamThoughtsAndThePlainPool) {
  World s;
  LmStepModel step(s.m, 0);
  ThoughtSearchOptions o;
  o.thoughts = 3;
  o.beam = true;
  o.max_thought_tokens = 2;
  o.plain_weight = 0.25;
  std::vector<std::vector<TokenId>> plain{{3, 9, kCloseThink, kBlank}, {3, 40, kCloseThink, kBlank}, {44, kCloseThink, kBlank}};
  auto results = marginalised_search(step, s.trie, kEnd, s.prompts, plain, closing(), o, s.beams);
  for (std::size_t p = 0; p < results.size(); ++p) {
    EXPECT_EQ(results[p].thoughts.size(), 3u);
    EXPECT_EQ(results[p].plain.size(), 12u);
    expect_brute_force(s.m, s.prompts[p], results[p], &plain[p], o.plain_weight);
  }
  // The beam's thoughts are the best two-token thoughts: no other of the V^2 scores above the third.
  const auto& r = results[0];
  const double third = r.thoughts.back().log_prob;
  int better = 0;
  for (TokenId a = 0; a < 50; ++a) {
    if (a == kCloseThink || a == kEnd) {
      if (brute_force(s.m, s.prompts[0], {a}) > third + 1e-3) ++better;
      continue;
    }
    for (TokenId b = 0; b < 50; ++b)
      if (brute_force(s.m, s.prompts[0], {a, b}) > third + 1e-3) ++better;
  }
  EXPECT_LE(better, 2);
}

TEST(MarginalisedSearch, OneGreedyBeamThoughtRanksLikeTheReferenceThinkMode) {
  World s;
  LmStepModel step(s.m, 0);
  ThoughtSearchOptions o;
  o.thoughts = 1;
  o.beam = true;
  o.max_thought_tokens = 3;
  auto marginal = marginalised_search(step, s.trie, kEnd, s.prompts, {}, closing(), o, s.beams);
  // The reference way: greedy thought kept with its state, closed, then the search.
  GenerateOptions greedy;
  greedy.max_new_tokens = 3;
  greedy.stop_tokens = {kCloseThink, kEnd};
  greedy.keep_state = true;
  LmStepModel other(s.m, 0);
  auto gens = generate(other, s.prompts, greedy);
  std::vector<Continuation> rows;
  for (std::size_t p = 0; p < gens.size(); ++p) rows.push_back(close_thought(gens[p], s.prompts[p].size(), closing()));
  torch::NoGradGuard no_grad;
  auto reference = search_sids_from(other, other.resume(rows), s.trie, kEnd, s.beams);
  for (std::size_t p = 0; p < s.prompts.size(); ++p) {
    ASSERT_EQ(marginal[p].thoughts.size(), 1u);
    EXPECT_EQ(marginal[p].thoughts[0].tokens, gens[p].tokens);
    ASSERT_EQ(marginal[p].predictions.size(), reference[p].size());
    for (std::size_t i = 0; i < reference[p].size(); ++i) {
      EXPECT_EQ(marginal[p].predictions[i].sid, reference[p][i].sid);
      EXPECT_NEAR(marginal[p].predictions[i].score - marginal[p].thoughts[0].log_prob, reference[p][i].score, 2e-3);
    }
  }
}

// Beam search with keep_state: every returned hypothesis (finished by an end token, or cut by the budget)
// carries the state after its prompt and all its tokens but the last; resuming it with the last token gives
// the whole sequence. Without keep_state nothing is saved.
TEST(BeamSearchKeepState, HypothesesResumeAsTheirWholeSequences) {
  testing::ToyModel toy(12, 3, 1.0f);
  std::vector<std::vector<TokenId>> prompts{{1, 2}, {3}, {4, 5, 6}};
  BeamSearchOptions o;
  o.beams = 4;
  o.max_new_tokens = 3;
  // The end token is the first prompt's likeliest next token, so some hypotheses finish and others are cut.
  const auto end = static_cast<TokenId>(toy.logits_after(prompts[0]).argmax().item<std::int64_t>());
  o.end_tokens = {end};
  o.keep_state = true;
  auto found = beam_search(toy, prompts, nullptr, o);
  std::size_t finished = 0, cut = 0;
  for (std::size_t p = 0; p < prompts.size(); ++p) {
    ASSERT_EQ(found[p].size(), 4u);
    for (const auto& h : found[p]) {
      ASSERT_TRUE(h.saved) << "prompt " << p;
      (h.tokens.back() == end ? finished : cut) += 1;
      toy.resume({{h.saved, h.saved_row, 0, {h.tokens.back()}}});
      auto whole = prompts[p];
      whole.insert(whole.end(), h.tokens.begin(), h.tokens.end());
      EXPECT_EQ(toy.histories().at(0), whole);
      EXPECT_NEAR(h.score, toy.sequence_log_prob(prompts[p], h.tokens), 1e-4);
    }
  }
  EXPECT_GT(cut, 0u);
  EXPECT_GT(finished, 0u);
  o.keep_state = false;
  for (const auto& list : beam_search(toy, prompts, nullptr, o))
    for (const auto& h : list) EXPECT_FALSE(h.saved);
}

TEST(Marginalise, SumsOverThoughtsAndPoolsThePlainBeams) {
  ScoredThought t1, t2;
  t1.log_prob = std::log(0.6);
  t1.predictions = {{"A", static_cast<float>(std::log(0.5))}, {"B", static_cast<float>(std::log(0.3))}};
  t2.log_prob = std::log(0.2);
  t2.predictions = {{"B", static_cast<float>(std::log(0.9))}, {"C", static_cast<float>(std::log(0.1))}};
  auto out = marginalise({t1, t2}, {}, 0.0, 10);
  ASSERT_EQ(out.size(), 3u);  // B = .18 + .18, A = .30, C = .02
  EXPECT_EQ(out[0].sid, "B");
  EXPECT_NEAR(out[0].score, std::log(0.36), 1e-6);
  EXPECT_EQ(out[1].sid, "A");
  EXPECT_NEAR(out[1].score, std::log(0.30), 1e-6);
  EXPECT_NEAR(out[2].score, std::log(0.02), 1e-6);
  // Pooled at w = 0.5 with a plain search that is sure of C: C = .01 + .5, B = .18, A = .15; keep 2.
  auto pooled = marginalise({t1, t2}, {{"C", 0.0f}}, 0.5, 2);
  ASSERT_EQ(pooled.size(), 2u);
  EXPECT_EQ(pooled[0].sid, "C");
  EXPECT_NEAR(pooled[0].score, std::log(0.51), 1e-6);
  EXPECT_EQ(pooled[1].sid, "B");
  EXPECT_NEAR(pooled[1].score, std::log(0.18), 1e-6);
  ThoughtSearchOptions bad;
  bad.plain_weight = 1.0;
  EXPECT_THROW(bad.validate(), InputError);
  bad.plain_weight = 0;
  bad.thoughts = 0;
  EXPECT_THROW(bad.validate(), InputError);
}

}  // namespace
}  // namespace sidr::decode
