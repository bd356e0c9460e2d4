#include "train/loss.h"

#include <cmath>

#include <gtest/gtest.h>

#include "tiny_lm.h"

namespace sidr::train {
namespace {

using testing::TinyCausalLm;

std::vector<Sample> some_samples() {
  return {{{3, 4, 5, 6, 7}, {-100, -100, 5, 6, 7}},
          {{9, 10}, {-100, 10}},
          {{11, 12, 13, 14}, {11, 12, 13, 14}},
          {{1, 2, 3}, {-100, -100, -100}}};
}

TEST(Loss, LabelledPositionsOnlyEqualsTheFullLogitsWay) {
  TinyCausalLm model(1);
  auto samples = some_samples();
  Batch batch = collate(samples, {0, 1, 2, 3}, 0);
  ASSERT_EQ(batch.label_tokens, 3 + 1 + 3);
  auto ours = labelled_loss_sum(model, batch);
  ours.backward();
  std::vector<torch::Tensor> our_grads;
  for (auto& p : model.module().parameters()) {
    our_grads.push_back(p.grad().clone());
    p.mutable_grad() = torch::Tensor();
  }
  auto reference = full_logits_loss_sum(model, batch);
  reference.backward();
  EXPECT_NEAR(ours.item<double>(), reference.item<double>(), 1e-4);
  auto params = model.module().parameters();
  for (std::size_t i = 0; i < params.size(); ++i)
    EXPECT_TRUE(torch::allclose(our_grads[i], params[i].grad(), 1e-5, 1e-6)) << i;
}

TEST(Loss, UniformPredictionCostsLogVocabPerTarget) {
  TinyCausalLm model(2, /*vocab=*/32);
  {
    torch::NoGradGuard no_grad;
    auto& head = model.net()->head;
    head->weight.zero_();
    head->bias.zero_();
  }
  auto samples = some_samples();
  Batch batch = collate(samples, {0, 1, 2, 3}, 0);
  EXPECT_NEAR(labelled_loss_sum(model, batch).item<double>(), 7 * std::log(32.0), 1e-4);
}

TEST(Loss, DoesNotDependOnPaddingOrBatchMates) {
  TinyCausalLm model(3);
  auto samples = some_samples();
  double alone = 0.0;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    Batch one = collate(samples, {i}, 0);
    if (one.label_tokens > 0) alone += labelled_loss_sum(model, one).item<double>();
  }
  Batch all = collate(samples, {0, 1, 2, 3}, 0);
  EXPECT_NEAR(labelled_loss_sum(model, all).item<double>(), alone, 1e-4);
}

}  // namespace
}  // namespace sidr::train
