#include "decode/ensemble_step_model.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <set>

#include <gtest/gtest.h>

#include "decode/beam_search.h"
#include "decode/constraint.h"
#include "sid/trie.h"
#include "toy_model.h"

namespace sidr::decode {
namespace {

using testing::ToyModel;

constexpr std::int64_t kVocab = 40;
constexpr TokenId kEnd = 2;

std::vector<std::unique_ptr<StepModel>> toys(std::initializer_list<std::uint64_t> seeds) {
  std::vector<std::unique_ptr<StepModel>> out;
  for (auto seed : seeds) out.push_back(std::make_unique<ToyModel>(kVocab, seed));
  return out;
}

// Brute force in double: the log of the mean of the members' full-vocabulary probabilities, token by token.
double ensemble_log_prob(const std::vector<ToyModel>& members, std::vector<TokenId> prompt,
                         const std::vector<TokenId>& continuation) {
  double total = 0;
  for (TokenId token : continuation) {
    double mean = 0;
    for (const auto& m : members)
      mean += std::exp(torch::log_softmax(m.logits_after(prompt).to(torch::kFloat64), -1)[token].item<double>());
    total += std::log(mean / static_cast<double>(members.size()));
    prompt.push_back(token);
  }
  return total;
}

TEST(EnsembleStepModel, OneMemberPassesItsLogitsThrough) {
  EnsembleStepModel one(toys({5}));
  ToyModel alone(kVocab, 5);
  std::vector<std::vector<TokenId>> prompts{{3, 4}, {6}};
  EXPECT_TRUE(torch::equal(one.start(prompts), alone.start(prompts)));
  auto rows = torch::tensor({1, 0, 0}, torch::kInt64);
  auto tokens = torch::tensor({7, 8, 9}, torch::kInt64);
  EXPECT_TRUE(torch::equal(one.step(rows, tokens), alone.step(rows, tokens)));
}

TEST(EnsembleStepModel, WeightsMixTheDistributionsInProportion) {
  EnsembleStepModel weighted(toys({5, 6}), {1.0, 3.0});  // normalised to 0.25 / 0.75
  ToyModel a(kVocab, 5), b(kVocab, 6);
  std::vector<std::vector<TokenId>> prompts{{3, 4}};
  auto got = weighted.start(prompts).to(torch::kFloat64).exp();
  auto want = 0.25 * torch::softmax(a.start(prompts).to(torch::kFloat64), -1) +
              0.75 * torch::softmax(b.start(prompts).to(torch::kFloat64), -1);
  EXPECT_TRUE(torch::allclose(got, want, 1e-5, 1e-7));
  EXPECT_THROW(EnsembleStepModel(toys({1, 2}), {1.0}), std::invalid_argument);
  EXPECT_THROW(EnsembleStepModel(toys({1, 2}), {1.0, 0.0}), std::invalid_argument);
  EXPECT_THROW(EnsembleStepModel(toys({1, 2}), {1.0, NAN}), std::invalid_argument);
}

TEST(EnsembleStepModel, ProductWeighsTheMembersLogProbabilities) {
  EnsembleStepModel product(toys({5, 6}), {1.0, 3.0}, Mixing::Product);
  ToyModel a(kVocab, 5), b(kVocab, 6);
  std::vector<std::vector<TokenId>> prompts{{3, 4}};
  auto got = product.start(prompts).to(torch::kFloat64).exp();
  auto unnormalised = torch::softmax(a.start(prompts).to(torch::kFloat64), -1).pow(0.25) *
                      torch::softmax(b.start(prompts).to(torch::kFloat64), -1).pow(0.75);
  EXPECT_TRUE(torch::allclose(got, unnormalised / unnormalised.sum(-1, true), 1e-5, 1e-7));
  EXPECT_EQ(parse_mixing("product"), Mixing::Product);
  EXPECT_EQ(parse_mixing(mixing_name(Mixing::Mean)), Mixing::Mean);
  EXPECT_THROW(parse_mixing("geometric"), std::invalid_argument);
}

TEST(EnsembleStepModel, RejectsNoMembersAndMixedVocabularies) {
  EXPECT_THROW(EnsembleStepModel({}), std::invalid_argument);
  std::vector<std::unique_ptr<StepModel>> mixed;
  mixed.push_back(std::make_unique<ToyModel>(kVocab, 1));
  mixed.push_back(std::make_unique<ToyModel>(kVocab + 1, 2));
  EXPECT_THROW(EnsembleStepModel(std::move(mixed)), std::invalid_argument);
}

// A beam as wide as the catalog returns every SID, ranked by the brute-force ensemble probability.
TEST(EnsembleStepModel, FullBeamRanksSidsByTheMeanDistribution) {
  std::mt19937 rng(3);
  std::set<std::vector<TokenId>> seen;
  std::vector<std::vector<TokenId>> sids;
  while (sids.size() < 20) {
    std::vector<TokenId> s{static_cast<TokenId>(10 + rng() % 5), static_cast<TokenId>(15 + rng() % 6),
                           static_cast<TokenId>(21 + rng() % 10), 1, kEnd};
    if (seen.insert(s).second) sids.push_back(s);
  }
  auto trie = std::make_shared<sid::Trie>(sid::Trie::build(sids));
  EnsembleStepModel ensemble(toys({11, 12, 13}));
  std::vector<ToyModel> members{ToyModel(kVocab, 11), ToyModel(kVocab, 12), ToyModel(kVocab, 13)};
  std::vector<std::vector<TokenId>> prompts{{3, 4, 5}, {6, 7}};
  BeamSearchOptions options;
  options.beams = 20;
  options.max_new_tokens = 16;
  options.end_tokens = {kEnd};
  TrieConstraint constraint(trie, kEnd);
  auto results = beam_search(ensemble, prompts, &constraint, options);
  ASSERT_EQ(results.size(), prompts.size());
  for (std::size_t p = 0; p < prompts.size(); ++p) {
    std::vector<std::pair<double, std::vector<TokenId>>> truth;
    for (const auto& s : sids) truth.emplace_back(ensemble_log_prob(members, prompts[p], s), s);
    std::stable_sort(truth.begin(), truth.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    ASSERT_EQ(results[p].size(), truth.size());
    for (std::size_t i = 0; i < truth.size(); ++i) {
      EXPECT_EQ(results[p][i].tokens, truth[i].second) << "prompt " << p << " rank " << i;
      EXPECT_NEAR(results[p][i].score, truth[i].first, 1e-3);
    }
    // The ensemble's ranking is none of the members' own.
    for (const auto& m : members) {
      bool differs = false;
      std::vector<std::pair<double, std::vector<TokenId>>> own;
      for (const auto& s : sids) own.emplace_back(m.sequence_log_prob(prompts[p], s), s);
      std::stable_sort(own.begin(), own.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
      for (std::size_t i = 0; i < own.size(); ++i) differs = differs || own[i].second != truth[i].second;
      EXPECT_TRUE(differs);
    }
  }
}

}  // namespace
}  // namespace sidr::decode
