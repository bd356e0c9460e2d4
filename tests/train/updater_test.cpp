#include "train/updater.h"

#include <cmath>

#include <gtest/gtest.h>

#include "tiny_lm.h"
#include "train/loss.h"
#include "util/error.h"

namespace sidr::train {
namespace {

// A quadratic bowl sum((w - c)^2) per "micro-batch" c (a float64 vector), denominator 1 each.
struct Bowl {
  torch::Tensor centre;
};

Objective<Bowl> bowl_objective(const torch::Tensor& w) {
  return {[](const Bowl&) { return MicroBatchCounts{1.0, 0.0}; },
          [w](const Bowl& b) { return (w - b.centre).pow(2).sum(); }};
}

// Adam by its formulas in double precision, one scalar coordinate at a time: coupled L2 adds wd * w to the
// gradient (torch.optim.Adam), decoupled multiplies w by (1 - lr * wd) first (torch.optim.AdamW).
std::vector<double> manual_adam(std::vector<double> w, const std::vector<std::vector<double>>& centres, double lr,
                                double beta1, double beta2, double eps, double wd, bool decoupled) {
  std::vector<double> m(w.size(), 0.0), v(w.size(), 0.0);
  for (std::size_t step = 1; step <= centres.size(); ++step) {
    for (std::size_t i = 0; i < w.size(); ++i) {
      double g = 2.0 * (w[i] - centres[step - 1][i]);  // two micro-batches, same centre: 2 x d/dw of sum / 2
      if (decoupled)
        w[i] *= 1.0 - lr * wd;
      else
        g += wd * w[i];
      m[i] = beta1 * m[i] + (1 - beta1) * g;
      v[i] = beta2 * v[i] + (1 - beta2) * g * g;
      double m_hat = m[i] / (1 - std::pow(beta1, step));
      double denom = std::sqrt(v[i]) / std::sqrt(1 - std::pow(beta2, step)) + eps;
      w[i] -= lr * m_hat / denom;
    }
  }
  return w;
}

void check_against_manual(OptimizerKind kind) {
  std::vector<double> start = {0.5, -1.0, 2.0};
  std::vector<std::vector<double>> centres = {{1.0, 0.0, -1.0}, {0.3, 0.2, 0.1}, {-2.0, 1.0, 0.0}};
  auto w = torch::tensor(start, torch::kFloat64).requires_grad_(true);
  UpdaterOptions options;
  options.optimizer = {kind, 0.1, 0.8, 0.9, 1e-8, 0.05};
  options.schedule = {ScheduleKind::Constant, 0.1, 0, 1};
  Updater updater({w}, options);
  auto objective = bowl_objective(w);
  for (std::size_t s = 0; s < centres.size(); ++s) {
    Bowl bowl{torch::tensor(centres[s], torch::kFloat64)};
    StepReport report = updater.step(std::vector<Bowl>{bowl, bowl}, objective, static_cast<std::int64_t>(s));
    EXPECT_TRUE(report.stepped);
    EXPECT_DOUBLE_EQ(report.denominator, 2.0);
    EXPECT_DOUBLE_EQ(report.lr, 0.1);
  }
  auto expected = manual_adam(start, centres, 0.1, 0.8, 0.9, 1e-8, 0.05, kind == OptimizerKind::AdamW);
  for (std::size_t i = 0; i < start.size(); ++i) EXPECT_NEAR(w[i].item<double>(), expected[i], 1e-12) << i;
}

TEST(Updater, AdamWithCoupledL2FollowsItsFormula) { check_against_manual(OptimizerKind::Adam); }

TEST(Updater, AdamWWithDecoupledDecayFollowsItsFormula) { check_against_manual(OptimizerKind::AdamW); }

TEST(Updater, ReportsTheGlobalMeanLossAndTheNormBeforeClipping) {
  auto w = torch::tensor({3.0, 4.0}, torch::kFloat64).requires_grad_(true);
  UpdaterOptions options;
  options.optimizer.lr = 1e-3;
  options.max_grad_norm = 1.0;
  options.schedule = {ScheduleKind::Linear, 1e-3, /*warmup_steps=*/4, /*total_steps=*/10};
  Updater updater({w}, options);
  // Two micro-batches with denominators 1 and 3: loss = (|w|^2 + |w|^2) / 4, gradient 2 * 2w / 4 = w.
  Objective<double> objective{[](const double& d) { return MicroBatchCounts{d, 10.0 * d}; },
                              [w](const double&) { return w.pow(2).sum(); }};
  StepReport report = updater.step(std::vector<double>{1.0, 3.0}, objective, 2);
  EXPECT_DOUBLE_EQ(report.loss, 50.0 / 4.0);
  EXPECT_NEAR(report.grad_norm, 5.0, 1e-12);
  EXPECT_DOUBLE_EQ(report.denominator, 4.0);
  EXPECT_DOUBLE_EQ(report.tokens, 40.0);
  EXPECT_DOUBLE_EQ(report.lr, 1e-3 * 2 / 4);
  // clip_grad_norm_ semantics: the gradient was scaled to norm 1 / (1 + 1e-6 / 5) before the step.
  EXPECT_NEAR(w.grad().norm().item<double>(), 5.0 / (5.0 + 1e-6), 1e-12);
}

TEST(Updater, NormIsSkippedOnlyWhenNotClippingAndNotAsked) {
  auto norm_of_one_step = [](double max_grad_norm) {
    auto w = torch::tensor({3.0, 4.0}, torch::kFloat64).requires_grad_(true);
    Objective<int> objective{[](const int&) { return MicroBatchCounts{1.0, 1.0}; },
                             [w](const int&) { return w.pow(2).sum() / 2; }};  // gradient w, norm 5
    UpdaterOptions options;
    options.report_grad_norm = false;
    options.max_grad_norm = max_grad_norm;
    return Updater({w}, options).step(std::vector<int>{0}, objective, 0).grad_norm;
  };
  EXPECT_TRUE(std::isnan(norm_of_one_step(0.0)));
  EXPECT_NEAR(norm_of_one_step(100.0), 5.0, 1e-12);  // clipping needs the norm whatever report_grad_norm says
}

TEST(Updater, StepWithoutAnyDenominatorLeavesTheWeights) {
  auto w = torch::tensor({1.0, 2.0}, torch::kFloat64).requires_grad_(true);
  UpdaterOptions options;
  options.optimizer.weight_decay = 0.5;
  Updater updater({w}, options);
  int forwards = 0;
  Objective<int> objective{[](const int&) { return MicroBatchCounts{0.0, 7.0}; },
                           [&](const int&) {
                             ++forwards;
                             return w.sum();
                           }};
  StepReport report = updater.step(std::vector<int>{0, 1}, objective, 0);
  EXPECT_FALSE(report.stepped);
  EXPECT_EQ(forwards, 0);
  EXPECT_DOUBLE_EQ(report.loss, 0.0);
  EXPECT_EQ(w[0].item<double>(), 1.0);
  EXPECT_EQ(w[1].item<double>(), 2.0);
}

TEST(Updater, BadOptionsAreOneLineErrors) {
  auto w = torch::zeros({2}, torch::kFloat32).requires_grad_(true);
  auto expect_error = [&](UpdaterOptions options, const std::string& field) {
    try {
      Updater updater({w}, options);
      ADD_FAILURE() << "no error for " << field;
    } catch (const InputError& error) {
      std::string message = error.what();
      EXPECT_NE(message.find(field), std::string::npos) << message;
      EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    }
  };
  UpdaterOptions o;
  o.optimizer.lr = 0.0;
  expect_error(o, "lr");
  o = {};
  o.optimizer.beta2 = 1.0;
  expect_error(o, "beta2");
  o = {};
  o.optimizer.eps = -1.0;
  expect_error(o, "eps");
  o = {};
  o.optimizer.weight_decay = -0.1;
  expect_error(o, "weight decay");
  o = {};
  o.max_grad_norm = std::nan("");
  expect_error(o, "max grad norm");
}

TEST(Loss, LabelledTokenLogProbsAreTheFullLogSoftmaxAtTheTargets) {
  testing::TinyCausalLm model(4);
  std::vector<Sample> samples = {{{3, 4, 5, 6, 7}, {-100, -100, 5, 6, 7}}, {{9, 10}, {-100, 10}}};
  Batch batch = collate(samples, {0, 1}, 0);
  auto ours = labelled_token_log_probs(model, batch);
  ASSERT_EQ(ours.size(0), 4);
  // Brute force: logits at every position of the left-padded batch, log_softmax, read at (row, t - 1, label[t]).
  auto hidden = model.forward_hidden(batch.input_ids, batch.attention_mask);
  auto all = torch::log_softmax(model.logits(hidden), -1);  // (B, T, V)
  std::vector<double> expected;
  for (std::int64_t b = 0; b < batch.labels.size(0); ++b)
    for (std::int64_t t = 1; t < batch.labels.size(1); ++t) {
      auto label = batch.labels[b][t].item<std::int64_t>();
      if (label != kIgnoreLabel) expected.push_back(all[b][t - 1][label].item<double>());
    }
  ASSERT_EQ(expected.size(), 4u);
  for (std::size_t i = 0; i < expected.size(); ++i)
    EXPECT_NEAR(ours[static_cast<std::int64_t>(i)].item<double>(), expected[i], 1e-6) << i;
  EXPECT_NEAR(labelled_loss_sum(model, batch).item<double>(), -ours.sum().item<double>(), 1e-6);
}

}  // namespace
}  // namespace sidr::train
