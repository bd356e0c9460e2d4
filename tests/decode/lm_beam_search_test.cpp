// Beam search on a tiny random Qwen3 with its KV cache (prompt run once, cache rows expanded to the beams)
// against brute force: every SID scored by a full forward without cache.
#include <algorithm>
#include <memory>
#include <random>
#include <set>

#include <gtest/gtest.h>

#include "decode/beam_search.h"
#include "decode/generate.h"
#include "decode/lm_step_model.h"
#include "model/checkpoint.h"
#include "../model/model_test_util.h"
#include "sid/trie.h"

namespace sidr::decode {
namespace {

model::ModelConfig tiny_config() {
  model::ModelConfig c = model::testing::tiny_config();
  c.eos_token_id = -1;
  c.initializer_range = 0.5;  // large weights: peaked, distinct log-probs
  return c;
}

constexpr TokenId kNewline = 1;
constexpr TokenId kEnd = 2;

std::vector<std::vector<TokenId>> synthetic_sids(std::size_t count) {
  std::mt19937 rng(9);
  std::set<std::vector<TokenId>> seen;
  std::vector<std::vector<TokenId>> out;
  while (out.size() < count) {
    std::vector<TokenId> s{static_cast<TokenId>(10 + rng() % 4), static_cast<TokenId>(20 + rng() % 5),
                           static_cast<TokenId>(30 + rng() % 8), kNewline, kEnd};
    if (seen.insert(s).second) out.push_back(s);
  }
  return out;
}

// Total log-prob of seq after prompt, from one full forward without cache.
double brute_force(model::Qwen3& m, const std::vector<TokenId>& prompt, const std::vector<TokenId>& seq) {
  torch::NoGradGuard no_grad;
  std::vector<std::int64_t> ids(prompt.begin(), prompt.end());
  ids.insert(ids.end(), seq.begin(), seq.end());
  auto input = torch::tensor(ids, torch::kInt64).view({1, -1});                 // (1, T)
  auto lp = m->forward(input, torch::ones_like(input))[0].log_softmax(-1);       // (T, V)
  double total = 0;
  for (std::size_t k = 0; k < seq.size(); ++k)
    total += lp[static_cast<std::int64_t>(prompt.size() + k - 1)][seq[k]].item<float>();
  return total;
}

TEST(LmBeamSearch, FullBeamOnARandomModelRanksLikeBruteForce) {
  auto m = model::init_model(tiny_config(), 4);
  m->eval();
  auto sequences = synthetic_sids(20);
  auto trie = std::make_shared<sid::Trie>(sid::Trie::build(sequences));
  // Different lengths: the batch is left-padded.
  std::vector<std::vector<TokenId>> prompts{{3, 4, 5, 6, 7}, {8, 9}, {40, 41, 42, 43, 44, 45, 46, 47}};
  LmStepModel step(m, kEnd);
  TrieConstraint constraint(trie, kEnd);
  BeamSearchOptions options;
  options.beams = 20;
  options.end_tokens = {kEnd};
  auto results = beam_search(step, prompts, &constraint, options);
  for (std::size_t p = 0; p < prompts.size(); ++p) {
    std::vector<std::pair<double, std::vector<TokenId>>> truth;
    for (const auto& s : sequences) truth.emplace_back(brute_force(m, prompts[p], s), s);
    std::stable_sort(truth.begin(), truth.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    ASSERT_EQ(results[p].size(), truth.size());
    for (std::size_t i = 0; i < truth.size(); ++i) {
      EXPECT_EQ(results[p][i].tokens, truth[i].second) << "prompt " << p << " rank " << i;
      EXPECT_NEAR(results[p][i].score, truth[i].first, 2e-3);
    }
  }
}

TEST(LmBeamSearch, SmallBeamsBatchedEqualAloneAndScoreExactly) {
  auto m = model::init_model(tiny_config(), 5);
  m->eval();
  auto sequences = synthetic_sids(30);
  auto trie = std::make_shared<sid::Trie>(sid::Trie::build(sequences));
  std::vector<std::vector<TokenId>> prompts{{3, 4, 5, 6, 7}, {8, 9}, {40, 41, 42}};
  BeamSearchOptions options;
  options.beams = 4;
  options.end_tokens = {kEnd};
  LmStepModel step(m, kEnd);
  TrieConstraint constraint(trie, kEnd);
  auto batched = beam_search(step, prompts, &constraint, options);
  for (std::size_t p = 0; p < prompts.size(); ++p) {
    auto alone = beam_search(step, {prompts[p]}, &constraint, options);
    ASSERT_EQ(batched[p].size(), 4u);
    ASSERT_EQ(alone[0].size(), 4u);
    std::set<std::vector<TokenId>> distinct;
    for (std::size_t i = 0; i < 4; ++i) {
      EXPECT_EQ(batched[p][i].tokens, alone[0][i].tokens);
      EXPECT_TRUE(trie->is_terminal(trie->walk(batched[p][i].tokens)));
      EXPECT_TRUE(distinct.insert(batched[p][i].tokens).second);
      if (i > 0) EXPECT_GE(batched[p][i - 1].score, batched[p][i].score);
      EXPECT_NEAR(batched[p][i].score, brute_force(m, prompts[p], batched[p][i].tokens), 2e-3);
    }
  }
}

// The shared leading span is run once and kept across start() calls; every batch must give the logits and beams
// of running each prompt whole.
TEST(LmBeamSearch, SharedPromptPrefixIsExactAndFollowsTheBatches) {
  auto m = model::init_model(tiny_config(), 8);
  m->eval();
  auto sequences = synthetic_sids(20);
  auto trie = std::make_shared<sid::Trie>(sid::Trie::build(sequences));
  const std::vector<TokenId> instruction{3, 4, 5, 6, 7, 8};
  auto with_instruction = [&](std::vector<TokenId> rest) {
    std::vector<TokenId> p = instruction;
    p.insert(p.end(), rest.begin(), rest.end());
    return p;
  };
  // Batch 1 shares more than the instruction (token 40 too); batch 2 shares only the instruction; batch 3 is a
  // lone prompt; batch 4 shares nothing with the instruction.
  std::vector<std::vector<std::vector<TokenId>>> batches{
      {with_instruction({40, 41, 42}), with_instruction({40, 43})},
      {with_instruction({44, 45, 46, 47}), with_instruction({48})},
      {with_instruction({49, 41})},
      {{9, 10, 11, 12, 13}, {9, 10, 11, 12, 13, 14, 15}}};
  const std::vector<std::size_t> expected_span{7, 6, 6, 4};  // each row keeps its last token
  LmStepModel shared(m, kEnd);
  LmStepModel whole(m, kEnd);
  whole.set_min_shared_prefix(SIZE_MAX);
  BeamSearchOptions options;
  options.beams = 20;
  options.end_tokens = {kEnd};
  TrieConstraint constraint(trie, kEnd);
  for (std::size_t b = 0; b < batches.size(); ++b) {
    torch::NoGradGuard no_grad;
    auto a = shared.start(batches[b]);
    auto w = whole.start(batches[b]);
    EXPECT_EQ(shared.shared_prefix().size(), expected_span[b]) << "batch " << b;
    EXPECT_TRUE(whole.shared_prefix().empty());
    EXPECT_LT((a - w).abs().max().item<float>(), 1e-4) << "batch " << b;
    auto results = beam_search(shared, batches[b], &constraint, options);
    for (std::size_t p = 0; p < batches[b].size(); ++p) {
      std::vector<std::pair<double, std::vector<TokenId>>> truth;
      for (const auto& s : sequences) truth.emplace_back(brute_force(m, batches[b][p], s), s);
      std::stable_sort(truth.begin(), truth.end(), [](const auto& x, const auto& y) { return x.first > y.first; });
      ASSERT_EQ(results[p].size(), truth.size());
      for (std::size_t i = 0; i < truth.size(); ++i) {
        EXPECT_EQ(results[p][i].tokens, truth[i].second) << "batch " << b << " prompt " << p << " rank " << i;
        EXPECT_NEAR(results[p][i].score, truth[i].first, 2e-3);
      }
    }
  }
}

TEST(LmGenerate, GreedyWithCacheEqualsFullForwardArgmax) {
  auto m = model::init_model(tiny_config(), 6);
  m->eval();
  std::vector<std::vector<TokenId>> prompts{{3, 4, 5, 6, 7}, {8, 9}};
  LmStepModel step(m, 0);
  GenerateOptions options;
  options.max_new_tokens = 8;
  auto out = generate(step, prompts, options);
  torch::NoGradGuard no_grad;
  for (std::size_t p = 0; p < prompts.size(); ++p) {
    std::vector<std::int64_t> ids(prompts[p].begin(), prompts[p].end());
    std::vector<TokenId> expected;
    for (int k = 0; k < 8; ++k) {
      auto input = torch::tensor(ids, torch::kInt64).view({1, -1});
      auto next = m->forward(input, torch::ones_like(input))[0][-1].argmax().item<std::int64_t>();
      expected.push_back(static_cast<TokenId>(next));
      ids.push_back(next);
    }
    EXPECT_EQ(out[p].tokens, expected);
    EXPECT_EQ(out[p].reason, StopReason::Length);
  }
  // A stop token ends its row only; the other row keeps going.
  options.stop_tokens = {out[0].tokens[2]};
  auto stopped = generate(step, prompts, options);
  EXPECT_EQ(stopped[0].reason, StopReason::StopToken);
  EXPECT_LE(stopped[0].tokens.size(), 3u);
  EXPECT_EQ(stopped[0].tokens.back(), out[0].tokens[2]);
  if (std::find(out[1].tokens.begin(), out[1].tokens.end(), out[0].tokens[2]) == out[1].tokens.end())
    EXPECT_EQ(stopped[1].tokens, out[1].tokens);
}

TEST(LmGenerate, SamplingIsSeededAndRespectsTopK) {
  auto m = model::init_model(tiny_config(), 7);
  m->eval();
  LmStepModel step(m, 0);
  GenerateOptions options;
  options.max_new_tokens = 6;
  options.sample = true;
  options.sampling.top_k = 1;  // top-1 sampling is greedy
  auto sampled = generate(step, {{3, 4, 5}}, options);
  options.sample = false;
  auto greedy = generate(step, {{3, 4, 5}}, options);
  EXPECT_EQ(sampled[0].tokens, greedy[0].tokens);
  options.sample = true;
  options.sampling.top_k = 0;
  options.sampling.temperature = 2.0;
  options.seed = 3;
  auto a = generate(step, {{3, 4, 5}}, options);
  auto b = generate(step, {{3, 4, 5}}, options);
  EXPECT_EQ(a[0].tokens, b[0].tokens);
}

// Saved rows resumed with forgotten and new tokens give the logits of their whole sequences run from scratch, and
// a beam search continued from them equals the search after those sequences as prompts.
TEST(LmContinuation, ResumedRowsEqualTheirWholeSequences) {
  auto m = model::init_model(tiny_config(), 9);
  m->eval();
  // A shared leading span (the broadcast cache rows) and different lengths (left padding).
  std::vector<std::vector<TokenId>> prompts{{3, 4, 5, 6, 7, 40}, {3, 4, 5, 6, 7, 41, 42, 43}, {3, 4, 5, 6, 7, 44}};
  LmStepModel step(m, 0);
  GenerateOptions options;
  options.max_new_tokens = 6;
  options.samples = 2;
  options.sample = true;
  options.seed = 11;
  options.keep_state = true;
  auto gens = generate(step, prompts, options);
  std::vector<Continuation> rows;
  std::vector<std::vector<TokenId>> sequences;
  for (std::size_t g = 0; g < gens.size(); ++g) {
    Continuation c{gens[g].saved, gens[g].saved_row, static_cast<std::int64_t>(g % 3),
                   std::vector<TokenId>(1 + g % 2, static_cast<TokenId>(40 + g % 8))};
    auto seq = prompts[g / 2];
    seq.insert(seq.end(), gens[g].tokens.begin(), gens[g].tokens.end() - 1);
    seq.resize(seq.size() - static_cast<std::size_t>(c.forget));
    seq.insert(seq.end(), c.tokens.begin(), c.tokens.end());
    rows.push_back(c);
    sequences.push_back(seq);
  }
  torch::NoGradGuard no_grad;
  auto resumed = step.resume(rows);
  for (std::size_t r = 0; r < sequences.size(); ++r) {
    std::vector<std::int64_t> ids(sequences[r].begin(), sequences[r].end());
    auto input = torch::tensor(ids, torch::kInt64).view({1, -1});
    auto whole = m->forward(input, torch::ones_like(input))[0][-1];
    EXPECT_LT((resumed[static_cast<std::int64_t>(r)] - whole).abs().max().item<float>(), 1e-4) << "row " << r;
  }
  // A SID search continued from the resumed rows = the search after the whole sequences.
  auto trie = std::make_shared<sid::Trie>(sid::Trie::build(synthetic_sids(20)));
  TrieConstraint constraint(trie, kEnd);
  BeamSearchOptions beams;
  beams.beams = 5;
  beams.end_tokens = {kEnd};
  auto continued = beam_search_from(step, step.resume(rows), &constraint, beams);
  LmStepModel fresh(m, 0);
  auto restarted = beam_search(fresh, sequences, &constraint, beams);
  ASSERT_EQ(continued.size(), restarted.size());
  for (std::size_t p = 0; p < continued.size(); ++p) {
    ASSERT_EQ(continued[p].size(), restarted[p].size());
    for (std::size_t i = 0; i < continued[p].size(); ++i) {
      EXPECT_EQ(continued[p][i].tokens, restarted[p][i].tokens) << "row " << p << " rank " << i;
      EXPECT_NEAR(continued[p][i].score, restarted[p][i].score, 1e-3);
    }
  }
}

// n samples per prompt on the Qwen3 cache: one prefill, and every token's model log-prob equals a full forward.
TEST(LmGenerate, SamplesShareOnePrefillAndLogProbsMatchAFullForward) {
  auto m = model::init_model(tiny_config(), 10);
  m->eval();
  LmStepModel step(m, 0);
  GenerateOptions options;
  options.max_new_tokens = 5;
  options.samples = 4;
  options.sample = true;
  options.sampling.temperature = 1.5;
  options.seed = 2;
  std::vector<std::vector<TokenId>> prompts{{3, 4, 5}, {8, 9, 10, 11}};
  auto gens = generate(step, prompts, options);
  ASSERT_EQ(gens.size(), 8u);
  torch::NoGradGuard no_grad;
  for (std::size_t g = 0; g < gens.size(); ++g) {
    std::vector<std::int64_t> ids(prompts[g / 4].begin(), prompts[g / 4].end());
    ids.insert(ids.end(), gens[g].tokens.begin(), gens[g].tokens.end());
    auto input = torch::tensor(ids, torch::kInt64).view({1, -1});
    auto logits = m->forward(input, torch::ones_like(input))[0];  // (T, V)
    for (std::size_t t = 0; t < gens[g].tokens.size(); ++t) {
      auto row = logits[static_cast<std::int64_t>(prompts[g / 4].size() + t - 1)];
      EXPECT_NEAR(gens[g].model_log_probs[t], row.log_softmax(-1)[gens[g].tokens[t]].item<float>(), 1e-4);
      EXPECT_NEAR(gens[g].log_probs[t], (row / 1.5).log_softmax(-1)[gens[g].tokens[t]].item<float>(), 1e-4);
    }
  }
}

}  // namespace
}  // namespace sidr::decode
