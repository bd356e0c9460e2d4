#include "model/qwen3.h"

#include <gtest/gtest.h>

#include "model/checkpoint.h"
#include "model_test_util.h"

namespace sidr::model {
namespace {
using testing::tiny_config;

// (B, T) left-padded batch: row lengths 6, 4, 2.
struct Batch {
  torch::Tensor ids, mask;
};
Batch left_padded() {
  torch::manual_seed(0);
  auto ids = torch::randint(4, 50, {3, 6}, torch::kInt64);
  auto mask = torch::ones({3, 6}, torch::kInt64);
  mask.index_put_({1, torch::indexing::Slice(0, 2)}, 0);
  mask.index_put_({2, torch::indexing::Slice(0, 4)}, 0);
  ids = ids * mask;
  return {ids, mask};
}

TEST(Qwen3, IncrementalDecodingWithCacheEqualsFullForward) {
  auto model = init_model(tiny_config(), 2);
  model->eval();
  torch::NoGradGuard no_grad;
  auto [ids, mask] = left_padded();
  auto full = model->forward(ids, mask);  // (3, 6, V)
  KvCache cache;
  auto first = model->forward(ids.narrow(1, 0, 3), mask.narrow(1, 0, 3), &cache);
  EXPECT_EQ(cache.length(), 3);
  EXPECT_EQ(cache.keys.size(), 2u);
  EXPECT_EQ(cache.layer_keys(0).sizes(), (std::vector<std::int64_t>{3, 2, 3, 12}));
  EXPECT_GE(cache.keys[0].size(2), 3);  // spare room for the next steps
  auto second = model->forward(ids.narrow(1, 3, 1), mask.narrow(1, 3, 1), &cache);
  auto third = model->forward(ids.narrow(1, 4, 2), mask.narrow(1, 4, 2), &cache);
  auto incremental = torch::cat({first, second, third}, 1);
  auto real = mask.to(torch::kBool);
  EXPECT_LT((incremental.index({real}) - full.index({real})).abs().max().item<double>(), 1e-5);
}

TEST(Qwen3, LeftPaddingDoesNotChangeARow) {
  auto model = init_model(tiny_config("qwen2"), 4);
  model->eval();
  torch::NoGradGuard no_grad;
  auto [ids, mask] = left_padded();
  auto full = model->forward(ids, mask);
  auto alone = model->forward(ids.narrow(0, 2, 1).narrow(1, 4, 2), torch::ones({1, 2}, torch::kInt64));
  EXPECT_LT((full[2].narrow(0, 4, 2) - alone[0]).abs().max().item<double>(), 1e-5);
}

TEST(Qwen3, SelectRowsReordersAndDropsCacheRows) {
  auto model = init_model(tiny_config(), 9);
  model->eval();
  torch::NoGradGuard no_grad;
  auto [ids, mask] = left_padded();
  KvCache cache;
  model->forward(ids.narrow(1, 0, 4), mask.narrow(1, 0, 4), &cache);
  auto rows = torch::tensor({2, 0, 0}, torch::kInt64);  // beam reorder: duplicate row 0, drop row 1
  cache.select_rows(rows);
  EXPECT_EQ(cache.batch_size(), 3);
  auto next_ids = ids.index_select(0, rows).narrow(1, 4, 2);
  auto next_mask = mask.index_select(0, rows).narrow(1, 4, 2);
  auto step = model->forward(next_ids, next_mask, &cache);
  auto reference = model->forward(ids.index_select(0, rows), mask.index_select(0, rows)).narrow(1, 4, 2);
  EXPECT_LT((step - reference).abs().max().item<double>(), 1e-5);
  cache.select_rows(torch::tensor({1}, torch::kInt64));  // drop finished rows
  EXPECT_EQ(cache.batch_size(), 1);
  EXPECT_EQ(cache.keys[1].size(0), 1);
  cache.clear();
  EXPECT_EQ(cache.length(), 0);
}

TEST(Qwen3, BackwardReachesEveryParameter) {
  auto model = init_model(tiny_config("qwen3", false), 1);
  model->train();
  auto [ids, mask] = left_padded();
  auto logits = model->forward(ids, mask);
  auto loss = torch::nn::functional::cross_entropy(logits.view({-1, 50}), ids.view({-1}));
  loss.backward();
  for (const auto& item : model->named_parameters()) {
    ASSERT_TRUE(item.value().grad().defined()) << item.key();
    EXPECT_GT(item.value().grad().abs().sum().item<double>(), 0) << item.key();
  }
}

// The sampling filters and seeded generation moved to decode (tests/decode/logits_processor_test.cpp).

}  // namespace
}  // namespace sidr::model
