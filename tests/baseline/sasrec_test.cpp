// SASRec model and training loop: shapes, causality, the sampled-logit shortcut, determinism, and a tiny
// training run whose loss must fall and whose metrics must beat chance on a learnable pattern.
#include <random>

#include <gtest/gtest.h>

#include "baseline/sasrec.h"
#include "baseline/sasrec_trainer.h"
#include "util/error.h"

namespace sidr::baseline {
namespace {

// 40 items, 36 SIDs (items 36..39 collide with 0..3); next item = (3 * last + 1) mod 40.
SequenceData tiny_data(std::size_t train_rows = 400) {
  SequenceData data;
  data.num_items = 40;
  for (int s = 0; s < 36; ++s) data.sids.push_back("<a_" + std::to_string(s) + ">");
  for (int i = 0; i < 40; ++i) data.item_sid.push_back(i < 36 ? i : i - 36);
  std::mt19937 rng(3);
  auto make = [&](std::size_t rows) {
    SequenceSplit split;
    for (std::size_t r = 0; r < rows; ++r) {
      SequenceExample ex;
      std::int64_t item = rng() % 40;
      const auto length = 1 + rng() % 6;
      for (std::size_t i = 0; i < length; ++i) {
        ex.history.push_back(item);
        item = (3 * item + 1) % 40;
      }
      ex.target = item;
      ex.line = r + 2;
      split.rows.push_back(ex);
    }
    return split;
  };
  data.train = make(train_rows);
  data.valid = make(80);
  data.test = make(80);
  return data;
}

SasrecConfig tiny_config() {
  SasrecConfig config;
  config.num_items = 40;
  config.hidden = 16;
  config.heads = 2;
  config.max_len = 6;
  config.dropout = 0.1;
  return config;
}

TEST(Sasrec, ShapesAndParameterNamesFollowThePytorchModule) {
  torch::manual_seed(0);
  Sasrec model(tiny_config());
  std::vector<std::string> names;
  for (const auto& p : model->named_parameters()) names.push_back(p.key());
  for (const char* expected : {"item_embeddings.weight", "positional_embeddings.weight", "ln_1.weight", "ln_3.bias",
                               "mh_attn.linear_q.weight", "mh_attn.linear_v.bias", "feed_forward.w_1.weight",
                               "feed_forward.layer_norm.weight", "s_fc.weight", "s_fc.bias"})
    EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end()) << expected;
  auto states = torch::full({3, 6}, 40, torch::kInt64);
  states.index_put_({0, torch::indexing::Slice(0, 2)}, torch::tensor({5, 7}));
  states.index_put_({1, 0}, 9);
  states.index_put_({2}, torch::tensor({1, 2, 3, 4, 5, 6}));
  auto lengths = torch::tensor({2, 1, 6}, torch::kInt64);
  model->eval();
  auto logits = model->forward(states, lengths);
  EXPECT_EQ(logits.sizes(), (std::vector<std::int64_t>{3, 40}));
  EXPECT_TRUE(torch::isfinite(logits).all().item<bool>());
}

TEST(Sasrec, OutputAtLastPositionIgnoresLaterPositions) {
  torch::manual_seed(1);
  Sasrec model(tiny_config());
  model->eval();
  torch::NoGradGuard no_grad;
  auto padded = torch::tensor({{4, 8, 15, 40, 40, 40}}, torch::kInt64);
  auto filled = torch::tensor({{4, 8, 15, 16, 23, 42 % 40}}, torch::kInt64);
  auto length = torch::tensor({3}, torch::kInt64);
  EXPECT_TRUE(torch::allclose(model->forward(padded, length), model->forward(filled, length), 1e-5, 1e-6));
  auto other = torch::tensor({{4, 9, 15, 40, 40, 40}}, torch::kInt64);  // an earlier item does matter
  EXPECT_FALSE(torch::allclose(model->forward(padded, length), model->forward(other, length), 1e-5, 1e-6));
}

TEST(Sasrec, ScoreItemsEqualsGatheredLogits) {
  torch::manual_seed(2);
  Sasrec model(tiny_config());
  model->eval();
  auto states = torch::tensor({{1, 2, 40, 40, 40, 40}, {3, 4, 5, 6, 7, 8}}, torch::kInt64);
  auto lengths = torch::tensor({2, 6}, torch::kInt64);
  auto items = torch::tensor({{0, 39, 5}, {12, 12, 1}}, torch::kInt64);
  auto hidden = model->encode(states, lengths);
  auto expected = model->forward(states, lengths).gather(1, items);
  EXPECT_TRUE(torch::allclose(model->score_items(hidden, items), expected, 1e-5, 1e-6));
}

TEST(Sasrec, BadConfigurationIsRejected) {
  auto config = tiny_config();
  config.heads = 3;
  EXPECT_THROW(config.validate(), InputError);
  config = tiny_config();
  config.dropout = 1.0;
  EXPECT_THROW(config.validate(), InputError);
  SasrecTrainOptions options;
  options.epochs = 0;
  EXPECT_THROW(options.validate(), InputError);
  options = SasrecTrainOptions{};
  options.select_k = 50;
  EXPECT_THROW(options.validate(), InputError);
  EXPECT_THROW(parse_sasrec_loss("mse"), InputError);
}

void expect_valid_metrics(const OrderedJson& metrics) {
  double previous_hr = 0, previous_ndcg = 0;
  for (int k : {1, 3, 5, 10, 20}) {
    double hr = metrics["HR@" + std::to_string(k)].get<double>();
    double ndcg = metrics["NDCG@" + std::to_string(k)].get<double>();
    EXPECT_GE(hr, previous_hr);
    EXPECT_GE(ndcg, previous_ndcg);
    EXPECT_LE(ndcg, hr + 1e-12);
    EXPECT_LE(hr, 1.0);
    previous_hr = hr;
    previous_ndcg = ndcg;
  }
}

class TinyTraining : public ::testing::TestWithParam<SasrecLoss> {};

TEST_P(TinyTraining, LossFallsMetricsBeatChanceAndRunsAreDeterministic) {
  auto data = tiny_data();
  SasrecTrainOptions options;
  options.loss = GetParam();
  options.epochs = GetParam() == SasrecLoss::Bce ? 60 : 25;
  options.batch_size = 64;
  options.lr = 5e-3;
  options.patience = 1000;
  options.seed = 11;
  auto first = train_sasrec(data, tiny_config(), options);
  ASSERT_EQ(first.epochs_run, options.epochs);
  EXPECT_LT(first.history.back().loss, 0.7 * first.history.front().loss);
  auto test = evaluate_sasrec(first.model, data, data.test, options.ks, 5);
  expect_valid_metrics(test.metrics.to_json());
  // A deterministic successor is learnable: far above chance (10 of 36 SIDs at random = 0.28).
  EXPECT_GT(test.metrics.hr(10), 0.6);
  ASSERT_EQ(test.top_sids.size(), data.test.rows.size());
  for (const auto& row : test.top_sids) {
    EXPECT_EQ(row.size(), 5u);
    EXPECT_EQ(std::set<std::int32_t>(row.begin(), row.end()).size(), row.size());  // distinct SIDs
  }
  // The kept model is the best epoch's: re-evaluating valid gives that epoch's numbers.
  auto valid = evaluate_sasrec(first.model, data, data.valid, options.ks);
  EXPECT_DOUBLE_EQ(valid.metrics.ndcg(20), first.best_score);

  options.epochs = 3;
  auto a = train_sasrec(data, tiny_config(), options);
  auto b = train_sasrec(data, tiny_config(), options);
  for (int e = 0; e < 3; ++e) {
    EXPECT_EQ(a.history[e].loss, b.history[e].loss);
    EXPECT_EQ(a.history[e].valid, b.history[e].valid);
  }
}

INSTANTIATE_TEST_SUITE_P(Losses, TinyTraining, ::testing::Values(SasrecLoss::Bce, SasrecLoss::Ce),
                         [](const auto& info) { return std::string(sasrec_loss_name(info.param)); });

TEST(SasrecTraining, EarlyStopsAfterPatienceWithoutImprovement) {
  auto data = tiny_data(100);
  SasrecTrainOptions options;
  options.epochs = 200;
  options.lr = 1e-9;  // nothing is learned, so valid never improves after the first epoch
  options.patience = 2;
  auto result = train_sasrec(data, tiny_config(), options);
  EXPECT_TRUE(result.early_stopped);
  EXPECT_EQ(result.epochs_run, result.best_epoch + 3);
  EXPECT_FALSE(result.out_of_time);
}

TEST(SasrecTraining, TimeBudgetEndsAfterTheEpochInProgress) {
  auto data = tiny_data(100);
  SasrecTrainOptions options;
  options.epochs = 50;
  options.max_minutes = 1e-9;
  auto result = train_sasrec(data, tiny_config(), options);
  EXPECT_TRUE(result.out_of_time);
  EXPECT_EQ(result.epochs_run, 1);
  EXPECT_EQ(result.best_epoch, 1);
  options.max_minutes = -1;
  EXPECT_THROW(train_sasrec(data, tiny_config(), options), InputError);
}

}  // namespace
}  // namespace sidr::baseline
