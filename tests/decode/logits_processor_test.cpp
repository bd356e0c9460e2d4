// Logits processors on hand-computed values, and the sampler checked statistically: many draws from a fixed
// logits vector through the processors, chi-square goodness of fit against the renormalised softmax computed
// here by brute force (double precision, the HF rules written out as loops).
#include "decode/logits_processor.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include <gtest/gtest.h>

#include "decode/sampler.h"
#include "util/error.h"

namespace sidr::decode {
namespace {

// ---- hand-computed processors --------------------------------------------------------------------------
TEST(LogitsProcessors, TopKAndTopPKeepWhatTheRulesSay) {
  // Ported from the former model::filter_logits test: top-k 2 keeps {3, 2}; top-p 0.5 keeps the best only
  // (softmax gives it 0.665).
  auto logits = torch::tensor({1.0f, 3.0f, 2.0f, 0.0f}).reshape({1, 4});
  SamplingOptions o;
  o.top_k = 2;
  auto kept = make_logits_processors(o).process(logits.clone(), {}).gt(kMaskedLogProb / 2)[0];
  EXPECT_TRUE(torch::equal(kept, torch::tensor({false, true, true, false})));
  o.top_k = 0;
  o.top_p = 0.5;
  kept = make_logits_processors(o).process(logits.clone(), {}).gt(kMaskedLogProb / 2)[0];
  EXPECT_TRUE(torch::equal(kept, torch::tensor({false, true, false, false})));
  // Default options build no processor at all.
  EXPECT_TRUE(make_logits_processors(SamplingOptions{}).empty());
}

TEST(LogitsProcessors, RepetitionNoRepeatAndSuppress) {
  std::vector<TokenId> prompt{0, 1};
  std::vector<TokenId> generated{2, 0, 1};
  std::vector<RowTokens> rows{{&prompt, &generated}};
  auto scores = torch::tensor({2.0f, -1.0f, 0.5f, 3.0f, -2.0f}).reshape({1, 5});
  // Repetition 2: tokens 0, 1, 2 seen: 2 -> 1, -1 -> -2, 0.5 -> 0.25; 3 and -2 untouched.
  auto rep = RepetitionPenalty(2.0).process(scores.clone(), rows);
  auto expected = torch::tensor({1.0f, -2.0f, 0.25f, 3.0f, -2.0f}).reshape({1, 5});
  EXPECT_TRUE(torch::allclose(rep, expected));
  // No-repeat 2-grams: the row 0 1 2 0 1 ends with 1; bigrams starting with 1: (1, 2) -> 2 banned.
  auto ng = NoRepeatNgram(2).process(scores.clone(), rows);
  EXPECT_EQ(ng[0][2].item<float>(), kMaskedLogProb);
  EXPECT_EQ(ng[0][3].item<float>(), 3.0f);
  // 3-grams: ends with (0, 1); earlier (0, 1, 2) -> 2 banned; nothing else.
  auto ng3 = NoRepeatNgram(3).process(scores.clone(), rows);
  EXPECT_EQ((ng3 == kMaskedLogProb).sum().item<std::int64_t>(), 1);
  EXPECT_EQ(ng3[0][2].item<float>(), kMaskedLogProb);
  auto sup = SuppressTokens({4, 0, 99}).process(scores.clone(), rows);
  EXPECT_EQ(sup[0][0].item<float>(), kMaskedLogProb);
  EXPECT_EQ(sup[0][4].item<float>(), kMaskedLogProb);
  EXPECT_EQ(sup[0][1].item<float>(), -1.0f);
  // The list in HF order: the options build repetition, no-repeat, suppress, then the warpers.
  SamplingOptions o;
  o.repetition_penalty = 2.0;
  o.no_repeat_ngram_size = 2;
  o.suppress_tokens = {4};
  o.temperature = 0.5;
  auto list = make_logits_processors(o);
  EXPECT_EQ(list.size(), 4u);
  EXPECT_TRUE(list.reads_tokens());
  auto all = list.process(scores.clone(), rows);
  EXPECT_FLOAT_EQ(all[0][0].item<float>(), 2.0f);    // 2 / 2 / 0.5
  EXPECT_FLOAT_EQ(all[0][1].item<float>(), -4.0f);   // -1 * 2 / 0.5
  EXPECT_FLOAT_EQ(all[0][3].item<float>(), 6.0f);    // 3 / 0.5
  EXPECT_LT(all[0][2].item<float>(), -1e8f);         // banned bigram
  EXPECT_LT(all[0][4].item<float>(), -1e8f);         // suppressed
}

TEST(LogitsProcessors, BadOptionsAreOneLineErrors) {
  SamplingOptions o;
  o.temperature = 0;
  EXPECT_THROW(o.validate(), InputError);
  o = {};
  o.top_p = 1.5;
  EXPECT_THROW(o.validate(), InputError);
  o = {};
  o.repetition_penalty = 0;
  EXPECT_THROW(o.validate(), InputError);
  o = {};
  o.no_repeat_ngram_size = -1;
  EXPECT_THROW(o.validate(), InputError);
}

TEST(Sampler, GreedyIsArgmaxAndTopCount) {
  auto scores = torch::tensor({0.1f, 2.0f, -1.0f, 1.5f}).reshape({1, 4});
  auto greedy = Sampler::greedy();
  EXPECT_EQ(greedy.draw(scores).item<std::int64_t>(), 1);
  auto two = greedy.draw(scores, 2);
  EXPECT_EQ(two[0][0].item<std::int64_t>(), 1);
  EXPECT_EQ(two[0][1].item<std::int64_t>(), 3);
  EXPECT_FALSE(greedy.is_random());
}

// ---- statistics ----------------------------------------------------------------------------------------
const std::vector<double> kLogits{2.0, 1.2, 0.9, 0.3, -0.4, -1.0, -1.7, -2.5};
constexpr std::int64_t kDraws = 20000;

// The distribution the processors should sample from, by brute force: softmax(logits / T), then HF's top-k
// (keep the k largest) and top-p (keep a token while the mass of the tokens better than it is below top_p),
// renormalised.
std::vector<double> expected_distribution(double temperature, std::int64_t top_k, double top_p) {
  const std::size_t v = kLogits.size();
  std::vector<double> scaled(v);
  for (std::size_t i = 0; i < v; ++i) scaled[i] = kLogits[i] / temperature;
  std::vector<std::size_t> order(v);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](auto a, auto b) { return scaled[a] > scaled[b]; });
  std::vector<char> keep(v, 1);
  if (top_k > 0)
    for (std::size_t r = static_cast<std::size_t>(top_k); r < v; ++r) keep[order[r]] = 0;
  auto softmax_kept = [&] {
    std::vector<double> p(v, 0.0);
    double z = 0;
    for (std::size_t i = 0; i < v; ++i)
      if (keep[i]) z += std::exp(scaled[i]);
    for (std::size_t i = 0; i < v; ++i)
      if (keep[i]) p[i] = std::exp(scaled[i]) / z;
    return p;
  };
  if (top_p < 1.0) {
    auto p = softmax_kept();
    double better = 0;
    for (std::size_t r = 0; r < v; ++r) {
      std::size_t i = order[r];
      if (!keep[i]) continue;
      if (better >= top_p) keep[i] = 0;
      better += p[i];
    }
  }
  return softmax_kept();
}

// Pearson's chi-square statistic of counts against probabilities; cells with probability 0 must be empty
// (otherwise the statistic is infinite). Returns the statistic and the degrees of freedom.
std::pair<double, int> chi_square(const std::vector<std::int64_t>& counts, const std::vector<double>& p) {
  double stat = 0;
  int cells = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (p[i] == 0) {
      if (counts[i] > 0) return {INFINITY, 1};
      continue;
    }
    double e = p[i] * kDraws;
    stat += (counts[i] - e) * (counts[i] - e) / e;
    ++cells;
  }
  return {stat, cells - 1};
}

// The chi-square value that a true distribution exceeds with probability 1e-3 (Wilson-Hilferty).
double critical_value(int df) {
  const double z = 3.0902;  // standard normal quantile at 1 - 1e-3
  const double a = 2.0 / (9.0 * df);
  return df * std::pow(1 - a + z * std::sqrt(a), 3);
}

std::vector<std::int64_t> draw_counts(const SamplingOptions& options, std::uint64_t seed) {
  auto logits = torch::tensor(std::vector<float>(kLogits.begin(), kLogits.end()));
  auto scores = logits.unsqueeze(0).expand({kDraws, -1}).contiguous();  // (draws, V): one draw per row
  auto processed = make_logits_processors(options).process(scores, {});
  auto sampler = Sampler::multinomial(seed);
  auto ids = sampler.draw(processed).view({-1});
  auto counts = torch::bincount(ids, {}, static_cast<std::int64_t>(kLogits.size()));
  return std::vector<std::int64_t>(counts.data_ptr<std::int64_t>(), counts.data_ptr<std::int64_t>() + counts.numel());
}

struct Case {
  const char* name;
  double temperature;
  std::int64_t top_k;
  double top_p;
};

TEST(SamplerStatistics, DrawsFollowTheProcessedSoftmax) {
  const std::vector<Case> cases{{"plain", 1.0, 0, 1.0},     {"temperature 0.5", 0.5, 0, 1.0},
                                {"temperature 2", 2.0, 0, 1.0}, {"top-k 3", 1.0, 3, 1.0},
                                {"top-p 0.8", 1.0, 0, 0.8},  {"T 0.7, top-k 5, top-p 0.9", 0.7, 5, 0.9}};
  // What a sampler that ignored its options would draw from: the plain softmax.
  const auto plain = expected_distribution(1.0, 0, 1.0);
  for (std::size_t c = 0; c < cases.size(); ++c) {
    SamplingOptions o;
    o.temperature = cases[c].temperature;
    o.top_k = cases[c].top_k;
    o.top_p = cases[c].top_p;
    auto counts = draw_counts(o, 1000 + c);
    auto truth = expected_distribution(o.temperature, o.top_k, o.top_p);
    auto [stat, df] = chi_square(counts, truth);
    EXPECT_LT(stat, critical_value(df)) << cases[c].name << ": chi-square " << stat << " on " << df << " df";
    if (c > 0) {
      // The test can fail: the same draws against the wrong (unprocessed) distribution are rejected.
      auto [wrong, wrong_df] = chi_square(counts, plain);
      EXPECT_GT(wrong, critical_value(wrong_df)) << cases[c].name << ": the plain softmax was not rejected";
    }
  }
}

TEST(SamplerStatistics, ASlightlyWrongTemperatureIsRejected) {
  // Sampling at temperature 0.9 while claiming 1.0 (a 10 % error) must fail the same test.
  SamplingOptions o;
  o.temperature = 0.9;
  auto counts = draw_counts(o, 7);
  auto [stat, df] = chi_square(counts, expected_distribution(1.0, 0, 1.0));
  EXPECT_GT(stat, critical_value(df));
  auto [right, right_df] = chi_square(counts, expected_distribution(0.9, 0, 1.0));
  EXPECT_LT(right, critical_value(right_df));
}

TEST(SamplerStatistics, SameSeedSameDraws) {
  SamplingOptions o;
  EXPECT_EQ(draw_counts(o, 5), draw_counts(o, 5));
  EXPECT_NE(draw_counts(o, 5), draw_counts(o, 6));
}

}  // namespace
}  // namespace sidr::decode
