// GRPO arithmetic: advantages on toy groups, k3 values, the clipped loss by hand, both losses' gradients against
// finite differences, and agreement with an independent python3-torch implementation (grpo_loss_reference.py).
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <memory>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "rl/grpo_loss.h"
#include "util/json.h"

namespace sidr::rl {
namespace {

TEST(GroupAdvantages, ToyGroupsByHand) {
  // Group 1: rewards 0, 1, 2 -> mean 1, unbiased std 1 -> A = (R - 1) / (1 + eps).
  // Group 2: all equal -> 0. Group 3: one member -> R / (1 + eps) (mean 0, std 1).
  const double eps = 1e-6;
  auto a = group_advantages({0, 1, 2, 0.35, 0.35, 0.35, 0.35, 1.1}, {3, 4, 1}, eps);
  ASSERT_EQ(a.size(), 8u);
  EXPECT_DOUBLE_EQ(a[0], -1.0 / (1.0 + eps));
  EXPECT_DOUBLE_EQ(a[1], 0.0);
  EXPECT_DOUBLE_EQ(a[2], 1.0 / (1.0 + eps));
  for (int i = 3; i < 7; ++i) EXPECT_EQ(a[i], 0.0);
  EXPECT_DOUBLE_EQ(a[7], 1.1 / (1.0 + eps));
  // Two members 0 and 1: std = sqrt(0.5) (N - 1), not 0.5 (N).
  auto b = group_advantages({0, 1}, {2}, 1e-4);
  EXPECT_NEAR(b[1], 0.5 / (std::sqrt(0.5) + 1e-4), 1e-15);
  EXPECT_THROW(group_advantages({1, 2}, {3}, eps), std::invalid_argument);
  EXPECT_THROW(group_advantages({1, 2}, {1}, eps), std::invalid_argument);
}

TEST(K3Kl, ValuesAndClamps) {
  auto opts = torch::TensorOptions().dtype(torch::kFloat64);
  auto ref = torch::tensor({0.0, 1.0, -1.0, 30.0, -30.0}, opts);
  auto logp = torch::zeros({5}, opts);
  auto unclamped = k3_kl(ref, logp, false);
  EXPECT_DOUBLE_EQ(unclamped[0].item<double>(), 0.0);
  EXPECT_NEAR(unclamped[1].item<double>(), std::exp(1.0) - 2.0, 1e-15);
  EXPECT_NEAR(unclamped[2].item<double>(), std::exp(-1.0), 1e-15);
  EXPECT_NEAR(unclamped[3].item<double>(), std::exp(30.0) - 31.0, 1e-3);
  auto clamped = k3_kl(ref, logp, true);
  EXPECT_NEAR(clamped[1].item<double>(), std::exp(1.0) - 2.0, 1e-15);
  EXPECT_DOUBLE_EQ(clamped[3].item<double>(), 10.0);                     // result clamped to 10
  EXPECT_DOUBLE_EQ(clamped[4].item<double>(), 10.0);                     // exp(-20) + 19, clamped to 10
}

TEST(ClippedPolicyLoss, CasesByHand) {
  auto opts = torch::TensorOptions().dtype(torch::kFloat64);
  // ratio 1.5 with A = 1: max(-1.5, -1.2) = -1.2 (clipped); ratio 0.5 with A = 1: max(-0.5, -0.8) = -0.5;
  // ratio 1.5 with A = -1: max(1.5, 1.2) = 1.5; ratio 5 with A = -1: max(5, 1.2) = 5 -> dual clip min(5, 3) = 3.
  auto ratio = torch::tensor({1.5, 0.5, 1.5, 5.0}, opts);
  auto adv = torch::tensor({1.0, 1.0, -1.0, -1.0}, opts);
  auto old = torch::zeros({4}, opts);
  auto loss = clipped_policy_token_loss(torch::log(ratio), old, adv, ClipOptions{});
  EXPECT_NEAR(loss[0].item<double>(), -1.2, 1e-12);
  EXPECT_NEAR(loss[1].item<double>(), -0.5, 1e-12);
  EXPECT_NEAR(loss[2].item<double>(), 1.5, 1e-12);
  EXPECT_NEAR(loss[3].item<double>(), 3.0, 1e-12);
}

// A case with ratios on both sides of the clip range, negative and positive advantages, and three completions.
struct Case {
  torch::Tensor logp, old, ref, adv, seq;
  std::int64_t sequences = 3;
};
Case make_case() {
  auto opts = torch::TensorOptions().dtype(torch::kFloat64);
  Case c;
  c.logp = torch::tensor({-1.0, -0.3, -2.2, -0.05, -1.7, -0.9, -3.1, -0.6}, opts);
  c.old = torch::tensor({-1.1, -0.7, -2.0, -0.05, -1.2, -2.6, -3.0, -0.9}, opts);
  c.ref = torch::tensor({-0.8, -0.4, -2.5, -0.1, -1.5, -1.0, -2.9, -0.7}, opts);
  c.adv = torch::tensor({0.7, 0.7, 0.7, -1.3, -1.3, -1.3, 0.4, 0.4}, opts);
  c.seq = torch::tensor({0, 0, 0, 1, 1, 1, 2, 2}, torch::kInt64);
  return c;
}

// Central differences of f at x, one coordinate at a time.
torch::Tensor numeric_gradient(const std::function<double(const torch::Tensor&)>& f, const torch::Tensor& x) {
  auto grad = torch::zeros_like(x);
  const double h = 1e-6;
  for (std::int64_t i = 0; i < x.size(0); ++i) {
    auto plus = x.clone(), minus = x.clone();
    plus[i] += h;
    minus[i] -= h;
    grad[i] = (f(plus) - f(minus)) / (2 * h);
  }
  return grad;
}

TEST(GrpoLoss, SidReasonerGradientMatchesFiniteDifferences) {
  auto c = make_case();
  auto value = [&](const torch::Tensor& logp) {
    return sidreasoner_loss(logp, c.old, c.ref, c.adv, ClipOptions{}, 0.05).loss.item<double>();
  };
  auto logp = c.logp.clone().requires_grad_(true);
  sidreasoner_loss(logp, c.old, c.ref, c.adv, ClipOptions{}, 0.05).loss.backward();
  auto numeric = numeric_gradient(value, c.logp);
  EXPECT_LT((logp.grad() - numeric).abs().max().item<double>(), 1e-8) << logp.grad() << numeric;
  // Without the KL term, the clipped tokens (1, 7: ratio above 1.2 with A > 0; 4: below 0.8 with A < 0; 5: the
  // dual clip) have no gradient and the others -A ratio / N: the case exercises every branch.
  auto logp0 = c.logp.clone().requires_grad_(true);
  sidreasoner_loss(logp0, c.old, c.ref, c.adv, ClipOptions{}, 0.0).loss.backward();
  auto expected = -c.adv * torch::exp(c.logp - c.old) / 8.0;
  for (int i : {1, 4, 5, 7}) expected[i] = 0.0;
  EXPECT_LT((logp0.grad() - expected).abs().max().item<double>(), 1e-12) << logp0.grad();
}

TEST(GrpoLoss, MiniOneRecGradientMatchesFiniteDifferences) {
  auto c = make_case();
  // The no-clip loss's value does not depend on logp through the ratio (it is 1), but its gradient does; compare
  // with the gradient of the equivalent -A * logp + beta * KL per completion mean.
  auto equivalent = [&](const torch::Tensor& logp) {
    auto token = -c.adv * logp + 0.04 * k3_kl(c.ref, logp, false);
    auto sums = torch::zeros({3}, token.options()).index_add(0, c.seq, token);
    auto lengths = torch::zeros({3}, token.options()).index_add(0, c.seq, torch::ones_like(token));
    return (sums / lengths).sum().item<double>();
  };
  auto logp = c.logp.clone().requires_grad_(true);
  auto parts = minionerec_loss(logp, c.ref, c.adv, c.seq, 3, 0.04);
  parts.loss.backward();
  EXPECT_LT((logp.grad() - numeric_gradient(equivalent, c.logp)).abs().max().item<double>(), 1e-8);
  // The value: -sum of per-completion mean advantages + beta * per-completion mean KL.
  double expected = -(0.7 - 1.3 + 0.4) + 0.04 * parts.kl;
  EXPECT_NEAR(parts.loss.item<double>(), expected, 1e-12);
}

TEST(GrpoLoss, AgreesWithAnIndependentPythonTorchImplementation) {
  auto c = make_case();
  auto list = [](const torch::Tensor& t) {
    auto d = t.to(torch::kFloat64).contiguous();
    return std::vector<double>(d.data_ptr<double>(), d.data_ptr<double>() + d.numel());
  };
  Json input{{"logp", list(c.logp)}, {"old", list(c.old)}, {"ref", list(c.ref)}, {"adv", list(c.adv)},
             {"seq", std::vector<std::int64_t>{0, 0, 0, 1, 1, 1, 2, 2}}, {"sequences", 3}, {"kl_coef", 0.05},
             {"beta", 0.04}};
  std::string in_path = fmt::format("{}/grpo_loss_case.{}.json", SIDR_BINARY_DIR, ::getpid());
  std::ofstream(in_path) << input.dump();
  std::string command = fmt::format("/usr/bin/python3 {}/rl/grpo_loss_reference.py < {}", SIDR_TEST_DIR, in_path);
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  ASSERT_TRUE(pipe);
  std::string text;
  char buffer[4096];
  while (std::size_t n = fread(buffer, 1, sizeof buffer, pipe.get())) text.append(buffer, n);
  std::remove(in_path.c_str());
  Json peer = Json::parse(text);

  auto logp = c.logp.clone().requires_grad_(true);
  auto sr = sidreasoner_loss(logp, c.old, c.ref, c.adv, ClipOptions{}, 0.05);
  sr.loss.backward();
  EXPECT_NEAR(sr.loss.item<double>(), peer["sidreasoner"]["loss"].get<double>(), 1e-12);
  EXPECT_NEAR(sr.policy, peer["sidreasoner"]["policy"].get<double>(), 1e-12);
  EXPECT_NEAR(sr.kl, peer["sidreasoner"]["kl"].get<double>(), 1e-12);
  auto grad = list(logp.grad());
  auto peer_grad = peer["sidreasoner"]["grad"].get<std::vector<double>>();
  for (std::size_t i = 0; i < grad.size(); ++i) EXPECT_NEAR(grad[i], peer_grad[i], 1e-12) << i;

  auto logp2 = c.logp.clone().requires_grad_(true);
  auto mr = minionerec_loss(logp2, c.ref, c.adv, c.seq, 3, 0.04);
  (mr.loss / 3.0).backward();  // the Updater divides the sum over completions by their number
  EXPECT_NEAR(mr.loss.item<double>() / 3.0, peer["minionerec"]["loss"].get<double>(), 1e-12);
  auto grad2 = list(logp2.grad());
  auto peer_grad2 = peer["minionerec"]["grad"].get<std::vector<double>>();
  for (std::size_t i = 0; i < grad2.size(); ++i) EXPECT_NEAR(grad2[i], peer_grad2[i], 1e-12) << i;
}

}  // namespace
}  // namespace sidr::rl
