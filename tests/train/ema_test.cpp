#include "train/ema.h"

#include <gtest/gtest.h>

#include "util/error.h"

namespace sidr::train {
namespace {
namespace fs = std::filesystem;

// The average against the formula evaluated in double precision, step by step.
TEST(ParameterEma, FollowsTheRampedDecayFormula) {
  torch::manual_seed(3);
  auto a = torch::randn({4, 3});
  auto b = torch::randn({5});
  ParameterEma ema({a, b}, 0.9);
  std::vector<torch::Tensor> expected = {a.to(torch::kFloat64).clone(), b.to(torch::kFloat64).clone()};
  for (int n = 1; n <= 40; ++n) {
    a.add_(torch::randn_like(a));
    b.mul_(0.7).add_(1.0);
    double d = std::min(0.9, (1.0 + n) / (10.0 + n));
    expected[0] = d * expected[0] + (1 - d) * a.to(torch::kFloat64);
    expected[1] = d * expected[1] + (1 - d) * b.to(torch::kFloat64);
    ema.update(n);
  }
  EXPECT_LT((ema.average()[0].to(torch::kFloat64) - expected[0]).abs().max().item<double>(), 1e-5);
  EXPECT_LT((ema.average()[1].to(torch::kFloat64) - expected[1]).abs().max().item<double>(), 1e-5);
}

TEST(ParameterEma, SwapExchangesAndRestores) {
  auto p = torch::tensor({1.0f, 2.0f});
  ParameterEma ema({p}, 0.5);
  p.fill_(10.0f);
  ema.update(100);  // decay 0.5: (1 + 10) / 2 and (2 + 10) / 2
  ema.swap();
  EXPECT_TRUE(torch::equal(p, torch::tensor({5.5f, 6.0f})));
  EXPECT_TRUE(torch::equal(ema.average()[0], torch::tensor({10.0f, 10.0f})));
  ema.swap();
  EXPECT_TRUE(torch::equal(p, torch::tensor({10.0f, 10.0f})));
}

TEST(ParameterEma, SavesLoadsAndRejectsOtherShapes) {
  fs::path dir = fs::path(SIDR_BINARY_DIR) / "test_tmp" / "ema";
  fs::remove_all(dir);
  fs::create_directories(dir);
  auto p = torch::tensor({1.0f, 2.0f, 3.0f});
  ParameterEma ema({p}, 0.5);
  p.fill_(5.0f);
  ema.update(100);
  ema.save(dir / "ema.pt");
  auto q = torch::zeros({3});
  ParameterEma loaded({q}, 0.5);
  loaded.load(dir / "ema.pt");
  EXPECT_TRUE(torch::equal(loaded.average()[0], ema.average()[0]));
  ParameterEma other({torch::zeros({4})}, 0.5);
  EXPECT_THROW(other.load(dir / "ema.pt"), InputError);
  ParameterEma more({torch::zeros({3}), torch::zeros({1})}, 0.5);
  EXPECT_THROW(more.load(dir / "ema.pt"), InputError);
  EXPECT_THROW(loaded.load(dir / "missing.pt"), InputError);
}

}  // namespace
}  // namespace sidr::train
