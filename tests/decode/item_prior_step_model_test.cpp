#include "decode/item_prior_step_model.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>

#include <gtest/gtest.h>

#include "decode/beam_search.h"
#include "decode/constraint.h"
#include "decode/ensemble_step_model.h"
#include "sid/trie.h"
#include "toy_model.h"

namespace sidr::decode {
namespace {

constexpr std::int64_t kVocab = 40;
constexpr TokenId kNewline = 1;
constexpr TokenId kEnd = 2;

// 24 items over 18 distinct SIDs (so some items share a SID), each path = 3 level tokens, "\n", end.
struct Catalog {
  std::vector<std::vector<TokenId>> item_paths;
  std::vector<std::vector<TokenId>> sids;  // distinct paths
};

Catalog make_catalog() {
  std::mt19937 rng(5);
  Catalog c;
  std::set<std::vector<TokenId>> seen;
  while (c.sids.size() < 18) {
    std::vector<TokenId> s{static_cast<TokenId>(10 + rng() % 4), static_cast<TokenId>(15 + rng() % 5),
                           static_cast<TokenId>(21 + rng() % 10), kNewline, kEnd};
    if (seen.insert(s).second) c.sids.push_back(s);
  }
  c.item_paths = c.sids;
  for (int i = 0; i < 6; ++i) c.item_paths.push_back(c.sids[static_cast<std::size_t>(i * 3)]);
  return c;
}

// Brute force in double: p(t | prefix) of the item distribution, from the items directly.
double item_conditional(const Catalog& c, const std::vector<double>& p, const std::vector<TokenId>& prefix, TokenId t) {
  double num = 0, den = 0;
  for (std::size_t i = 0; i < c.item_paths.size(); ++i) {
    const auto& path = c.item_paths[i];
    if (!std::equal(prefix.begin(), prefix.end(), path.begin())) continue;
    den += p[i];
    if (path[prefix.size()] == t) num += p[i];
  }
  return num / den;
}

std::vector<double> softmax(const torch::Tensor& row) {
  auto p = torch::softmax(row.to(torch::kFloat64), -1);
  return std::vector<double>(p.data_ptr<double>(), p.data_ptr<double>() + p.numel());
}

BeamSearchOptions full_beam(int width) {
  BeamSearchOptions options;
  options.beams = width;
  options.max_new_tokens = 8;
  options.end_tokens = {kEnd};
  return options;
}

// Alone, a beam as wide as the catalog returns every SID ranked by the summed probability of its items.
TEST(ItemPriorStepModel, FullBeamRanksSidsBySummedItemProbability) {
  auto c = make_catalog();
  torch::manual_seed(9);
  auto logits = torch::randn({2, static_cast<std::int64_t>(c.item_paths.size())}) * 2;
  ItemPriorStepModel prior(c.item_paths, kVocab, std::make_shared<FixedItemScorer>(logits));
  auto trie = std::make_shared<sid::Trie>(sid::Trie::build(c.sids));
  TrieConstraint constraint(trie, kEnd);
  std::vector<std::vector<TokenId>> prompts{{3, 4}, {5}};
  auto results = beam_search(prior, prompts, &constraint, full_beam(18));
  for (std::size_t r = 0; r < prompts.size(); ++r) {
    auto p = softmax(logits[static_cast<std::int64_t>(r)]);
    std::vector<std::pair<double, std::vector<TokenId>>> truth;
    for (const auto& s : c.sids) {
      double mass = 0;
      for (std::size_t i = 0; i < c.item_paths.size(); ++i) mass += c.item_paths[i] == s ? p[i] : 0.0;
      truth.emplace_back(std::log(mass), s);
    }
    std::stable_sort(truth.begin(), truth.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    ASSERT_EQ(results[r].size(), truth.size());
    for (std::size_t k = 0; k < truth.size(); ++k) {
      EXPECT_EQ(results[r][k].tokens, truth[k].second) << "row " << r << " rank " << k;
      EXPECT_NEAR(results[r][k].score, truth[k].first, 1e-4);
    }
  }
}

// Brute force in double of one mixed next-token probability: Mean = (1-w) p_lm + w p_items; Product =
// p_lm^(1-w) p_items^w over its sum across the whole vocabulary.
double mixed_conditional(Mixing mixing, double w, const torch::Tensor& lm_log_probs, const Catalog& c,
                         const std::vector<double>& p, const std::vector<TokenId>& prefix, TokenId t) {
  auto lm = [&](TokenId v) { return std::exp(lm_log_probs[v].item<double>()); };
  if (mixing == Mixing::Mean) return (1 - w) * lm(t) + w * item_conditional(c, p, prefix, t);
  double z = 0;
  for (TokenId v = 0; v < kVocab; ++v) z += std::pow(lm(v), 1 - w) * std::pow(item_conditional(c, p, prefix, v), w);
  return std::pow(lm(t), 1 - w) * std::pow(item_conditional(c, p, prefix, t), w) / z;
}

// Mixed with a language model at weight w, both ways: every SID is scored by the product over its tokens of
// mixed_conditional, and a beam as wide as the catalog returns them in that order.
class MixedWithALanguageModel : public ::testing::TestWithParam<Mixing> {};

TEST_P(MixedWithALanguageModel, MatchesBruteForce) {
  const Mixing mixing = GetParam();
  auto c = make_catalog();
  torch::manual_seed(4);
  auto logits = torch::randn({1, static_cast<std::int64_t>(c.item_paths.size())}) * 3;
  const double w = 0.3;
  std::vector<std::unique_ptr<StepModel>> members;
  members.push_back(std::make_unique<testing::ToyModel>(kVocab, 21));
  members.push_back(std::make_unique<ItemPriorStepModel>(c.item_paths, kVocab, std::make_shared<FixedItemScorer>(logits)));
  EnsembleStepModel mixed(std::move(members), {1 - w, w}, mixing);
  auto trie = std::make_shared<sid::Trie>(sid::Trie::build(c.sids));
  TrieConstraint constraint(trie, kEnd);
  std::vector<TokenId> prompt{7, 8, 9};
  auto results = beam_search(mixed, {prompt}, &constraint, full_beam(18));
  testing::ToyModel lm(kVocab, 21);
  auto p = softmax(logits[0]);
  std::vector<std::pair<double, std::vector<TokenId>>> truth;
  for (const auto& s : c.sids) {
    double total = 0;
    std::vector<TokenId> history = prompt, prefix;
    for (TokenId t : s) {
      auto lm_log_probs = torch::log_softmax(lm.logits_after(history).to(torch::kFloat64), -1);
      total += std::log(mixed_conditional(mixing, w, lm_log_probs, c, p, prefix, t));
      history.push_back(t);
      prefix.push_back(t);
    }
    truth.emplace_back(total, s);
  }
  std::stable_sort(truth.begin(), truth.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  ASSERT_EQ(results[0].size(), truth.size());
  for (std::size_t k = 0; k < truth.size(); ++k) {
    EXPECT_EQ(results[0][k].tokens, truth[k].second) << "rank " << k;
    EXPECT_NEAR(results[0][k].score, truth[k].first, 1e-3);
  }
}

// The two mixings rank differently on this catalog (else the product test could pass on a mean).
TEST(ItemPriorStepModel, MeanAndProductRankDifferently) {
  auto c = make_catalog();
  torch::manual_seed(4);
  auto logits = torch::randn({1, static_cast<std::int64_t>(c.item_paths.size())}) * 3;
  auto trie = std::make_shared<sid::Trie>(sid::Trie::build(c.sids));
  TrieConstraint constraint(trie, kEnd);
  const std::vector<std::vector<TokenId>> prompts{std::vector<TokenId>{7, 8, 9}};
  std::vector<std::vector<std::vector<TokenId>>> rankings;
  for (Mixing mixing : {Mixing::Mean, Mixing::Product}) {
    std::vector<std::unique_ptr<StepModel>> members;
    members.push_back(std::make_unique<testing::ToyModel>(kVocab, 21));
    members.push_back(
        std::make_unique<ItemPriorStepModel>(c.item_paths, kVocab, std::make_shared<FixedItemScorer>(logits)));
    EnsembleStepModel mixed(std::move(members), {0.7, 0.3}, mixing);
    std::vector<std::vector<TokenId>> ranking;
    auto results = beam_search(mixed, prompts, &constraint, full_beam(18));
    for (const auto& h : results[0]) ranking.push_back(h.tokens);
    rankings.push_back(ranking);
  }
  EXPECT_NE(rankings[0], rankings[1]);
}

INSTANTIATE_TEST_SUITE_P(Mixings, MixedWithALanguageModel, ::testing::Values(Mixing::Mean, Mixing::Product),
                         [](const auto& info) { return mixing_name(info.param); });

TEST(ItemPriorStepModel, RowsNoItemContinuesAreUniformAndOtherTokensImpossible) {
  ItemPriorStepModel prior({{10, 20, kEnd}, {10, 21, kEnd}, {11, 20, kEnd}}, kVocab,
                           std::make_shared<FixedItemScorer>(torch::log(torch::tensor({{0.5, 0.25, 0.25}}))));
  auto first = prior.start({{3}});
  EXPECT_NEAR(first[0][10].item<float>(), std::log(0.75f), 1e-6);
  EXPECT_NEAR(first[0][11].item<float>(), std::log(0.25f), 1e-6);
  EXPECT_TRUE(std::isinf(first[0][12].item<float>()));
  // Row 0 continues with 10 (items 0 and 1 remain), row 1 with 30 (no item): uniform.
  auto second = prior.step(torch::tensor({0, 0}, torch::kInt64), torch::tensor({10, 30}, torch::kInt64));
  EXPECT_NEAR(second[0][20].item<float>(), std::log(2.0f / 3.0f), 1e-6);
  EXPECT_NEAR(second[0][21].item<float>(), std::log(1.0f / 3.0f), 1e-6);
  EXPECT_TRUE(torch::equal(second[1], torch::zeros({kVocab})));
  // Past every path's end: uniform.
  prior.step(torch::tensor({0}, torch::kInt64), torch::tensor({20}, torch::kInt64));
  auto past = prior.step(torch::tensor({0}, torch::kInt64), torch::tensor({kEnd}, torch::kInt64));
  EXPECT_TRUE(torch::equal(past[0], torch::zeros({kVocab})));
}

// Rows need not advance together, and a prompt the scorer declines is neutral: every (row, prefix) of a random
// walk over the trie, started from two prompts of which the second is declined, against the brute force.
class DeclineSecond : public ItemScorer {
 public:
  explicit DeclineSecond(torch::Tensor first) : first_(std::move(first)) {}
  std::int64_t num_items() const override { return first_.size(0); }
  std::vector<torch::Tensor> item_log_probs(const std::vector<std::vector<TokenId>>& prompts) override {
    std::vector<torch::Tensor> out(prompts.size());
    out[0] = first_;
    return out;
  }

 private:
  torch::Tensor first_;
};

TEST(ItemPriorStepModel, FollowsEachRowsOwnPrefixAndStaysNeutralForADeclinedPrompt) {
  auto c = make_catalog();
  torch::manual_seed(12);
  auto logits = torch::randn({static_cast<std::int64_t>(c.item_paths.size())}) * 2;
  auto p = softmax(logits);
  ItemPriorStepModel prior(c.item_paths, kVocab, std::make_shared<DeclineSecond>(logits));
  auto out = prior.start({{1, 2}, {3}});
  std::vector<std::vector<TokenId>> prefixes{{}, {}};
  std::vector<std::int64_t> prompt_of{0, 1};
  std::mt19937 rng(3);
  for (int step = 0; step < 6; ++step) {
    for (std::size_t r = 0; r < prefixes.size(); ++r) {
      bool declined = prompt_of[r] == 1;
      bool continues = false;
      for (const auto& path : c.item_paths)
        continues |= path.size() > prefixes[r].size() &&
                     std::equal(prefixes[r].begin(), prefixes[r].end(), path.begin());
      for (TokenId t = 0; t < kVocab; ++t) {
        float got = out[static_cast<std::int64_t>(r)][t].item<float>();
        if (declined || !continues) {
          ASSERT_EQ(got, 0.0f) << "row " << r << " token " << t;
        } else {
          double want = item_conditional(c, p, prefixes[r], t);
          if (want == 0) ASSERT_TRUE(std::isinf(got) && got < 0) << "row " << r << " token " << t;
          else ASSERT_NEAR(got, std::log(want), 1e-5) << "row " << r << " token " << t;
        }
      }
    }
    // New rows: random parents (repeated, dropped), each appending one of the items' next tokens or a token
    // no item has (leaving the trie); the rows end up at different depths of different prefixes.
    std::vector<std::int64_t> parents;
    std::vector<TokenId> tokens;
    std::vector<std::vector<TokenId>> next_prefixes;
    std::vector<std::int64_t> next_prompt;
    for (int k = 0; k < 4; ++k) {
      auto from = k == 3 && step == 0 ? std::size_t{1} : static_cast<std::size_t>(rng() % prefixes.size());
      const auto& prefix = prefixes[from];
      std::vector<TokenId> next;  // the tokens some item continues this prefix with
      for (const auto& path : c.item_paths)
        if (path.size() > prefix.size() && std::equal(prefix.begin(), prefix.end(), path.begin()))
          next.push_back(path[prefix.size()]);
      TokenId t = next.empty() || rng() % 5 == 0 ? TokenId{39} : next[rng() % next.size()];
      parents.push_back(static_cast<std::int64_t>(from));
      tokens.push_back(t);
      next_prefixes.push_back(prefix);
      next_prefixes.back().push_back(t);
      next_prompt.push_back(prompt_of[from]);
    }
    prefixes = next_prefixes;
    prompt_of = next_prompt;
    out = prior.step(torch::tensor(parents, torch::kInt64),
                     torch::tensor(std::vector<std::int64_t>(tokens.begin(), tokens.end()), torch::kInt64));
  }
}

// Think mode continues saved rows: a resumed row's prompt is every id it was fed, less the forgotten ones,
// plus the new tokens; the scorer is asked with exactly that prompt and the output is a fresh start's.
struct RecordingScorer : ItemScorer {
  torch::Tensor logits;
  std::vector<std::vector<std::vector<TokenId>>> asked;
  explicit RecordingScorer(torch::Tensor l) : logits(std::move(l)) {}
  std::int64_t num_items() const override { return logits.size(0); }
  std::vector<torch::Tensor> item_log_probs(const std::vector<std::vector<TokenId>>& prompts) override {
    asked.push_back(prompts);
    return std::vector<torch::Tensor>(prompts.size(), logits);
  }
};

TEST(ItemPriorStepModel, ResumedRowsAreStartedOnTheirWholeIds) {
  auto c = make_catalog();
  torch::manual_seed(4);
  auto scorer = std::make_shared<RecordingScorer>(torch::randn({static_cast<std::int64_t>(c.item_paths.size())}));
  ItemPriorStepModel prior(c.item_paths, kVocab, scorer);
  prior.start({{5, 6}, {7}});
  prior.step(torch::tensor({1, 0, 0}, torch::kInt64), torch::tensor({30, 31, 32}, torch::kInt64));
  prior.step(torch::tensor({2, 0}, torch::kInt64), torch::tensor({33, 34}, torch::kInt64));  // {5,6,32,33}, {7,30,34}
  auto saved = prior.save(torch::tensor({1, 0}, torch::kInt64));
  ASSERT_EQ(saved->rows(), 2);
  prior.step(torch::tensor({0}, torch::kInt64), torch::tensor({35}, torch::kInt64));  // the batch moves on
  auto resumed = prior.resume({{saved, 1, 1, {8, 9}}, {saved, 0, 0, {3}}});
  std::vector<std::vector<TokenId>> want{{5, 6, 32, 8, 9}, {7, 30, 34, 3}};
  ASSERT_EQ(scorer->asked.back(), want);
  ItemPriorStepModel fresh(c.item_paths, kVocab, std::make_shared<RecordingScorer>(scorer->logits));
  EXPECT_TRUE(torch::equal(resumed, fresh.start(want)));
  EXPECT_THROW(prior.resume({{saved, 0, 9, {1}}}), std::invalid_argument);  // forgets more than it holds
}

// A million-item catalog: the prior holds one log-mass per trie node per prompt (no rows x items state), and
// its conditionals still equal the item sums computed directly.
TEST(ItemPriorStepModel, AMillionItemCatalog) {
  constexpr std::int64_t kItems = 1000000, kBigVocab = 800;
  std::mt19937 rng(17);
  std::vector<std::vector<TokenId>> paths(kItems);
  for (auto& p : paths)
    p = {static_cast<TokenId>(10 + rng() % 256), static_cast<TokenId>(266 + rng() % 256),
         static_cast<TokenId>(522 + rng() % 256), kNewline, kEnd};
  torch::manual_seed(2);
  auto logits = torch::randn({2, kItems}, torch::kFloat64) * 3;
  ItemPriorStepModel prior(paths, kBigVocab, std::make_shared<FixedItemScorer>(logits));
  auto root = prior.start({{1}, {2}});
  // New row 0 continues prompt 1, new row 1 prompt 0, both with item 0's first token; then row 0 alone with
  // item 0's second token. Truth: the direct sums over the items under each prefix.
  const TokenId a = paths[0][0], b = paths[0][1];
  auto second = prior.step(torch::tensor({1, 0}, torch::kInt64), torch::tensor({a, a}, torch::kInt64));
  auto third = prior.step(torch::tensor({0}, torch::kInt64), torch::tensor({b}, torch::kInt64));
  auto p = torch::softmax(logits, 1);
  auto acc = p.accessor<double, 2>();
  double first_mass[2] = {0, 0}, ab_mass = 0, total[2] = {0, 0};
  std::map<TokenId, double> after_ab;
  for (std::int64_t i = 0; i < kItems; ++i) {
    const auto& path = paths[static_cast<std::size_t>(i)];
    for (int r = 0; r < 2; ++r) {
      total[r] += acc[r][i];
      if (path[0] == a) first_mass[r] += acc[r][i];
    }
    if (path[0] == a && path[1] == b) {
      ab_mass += acc[1][i];
      after_ab[path[2]] += acc[1][i];
    }
  }
  for (int r = 0; r < 2; ++r) EXPECT_NEAR(root[r][a].item<double>(), std::log(first_mass[r] / total[r]), 1e-5);
  EXPECT_NEAR(second[0][b].item<double>(), std::log(ab_mass / first_mass[1]), 1e-5);  // row 0 came from prompt 1
  for (const auto& [token, mass] : after_ab) EXPECT_NEAR(third[0][token].item<double>(), std::log(mass / ab_mass), 1e-5);
  EXPECT_TRUE(std::isinf(third[0][kEnd].item<float>()));
}

TEST(ItemPriorStepModel, RejectsBadInput) {
  auto one = std::make_shared<FixedItemScorer>(torch::zeros({1, 1}));
  EXPECT_THROW(ItemPriorStepModel({}, kVocab, one), std::invalid_argument);
  EXPECT_THROW(ItemPriorStepModel({{kVocab}}, kVocab, one), std::invalid_argument);
  auto two = std::make_shared<FixedItemScorer>(torch::zeros({2, 2}));
  EXPECT_THROW(ItemPriorStepModel({{}}, kVocab, two), std::invalid_argument);
  EXPECT_THROW(ItemPriorStepModel({{10, kEnd}}, kVocab, two), std::invalid_argument);  // 2 scored, 1 path
  EXPECT_THROW(ItemPriorStepModel({{10, kEnd}, {11, kEnd}}, kVocab, nullptr), std::invalid_argument);
  ItemPriorStepModel prior({{10, kEnd}, {11, kEnd}}, kVocab, two);
  EXPECT_THROW(prior.start({{1}}), std::invalid_argument);  // two rows for one prompt
  ItemPriorStepModel wrong_width({{10, kEnd}, {11, kEnd}, {12, kEnd}}, kVocab,
                                 std::make_shared<FixedItemScorer>(torch::zeros({1, 3})));
  EXPECT_NO_THROW(wrong_width.start({{1}}));
}

}  // namespace
}  // namespace sidr::decode
