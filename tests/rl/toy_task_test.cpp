// A toy task on which GRPO must raise the mean reward steadily: a tiny random Qwen3 samples 4 tokens after short
// prompts and is rewarded for the share of one token in them. The real rollout (decode::generate through
// rl::roll_out), advantages and update (rl::grpo_update over train::Updater) of both algorithms.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include <gtest/gtest.h>

#include "decode/lm_step_model.h"
#include "model/checkpoint.h"
#include "rl/grpo_loss.h"
#include "rl/grpo_update.h"
#include "rl/rollout.h"
#include "train/qwen3_lm.h"
#include "train/updater.h"

namespace sidr::rl {
namespace {

model::ModelConfig toy_config() {
  model::ModelConfig c;
  c.model_type = "qwen3";
  c.vocab_size = 16;
  c.hidden_size = 32;
  c.intermediate_size = 64;
  c.num_hidden_layers = 2;
  c.num_attention_heads = 4;
  c.num_key_value_heads = 2;
  c.head_dim = 8;
  c.rope_theta = 10000;
  c.initializer_range = 0.02;
  c.tie_word_embeddings = true;
  c.eos_token_id = 0;
  return c;
}

constexpr decode::TokenId kRewarded = 5;

std::vector<double> run_toy(Algo algo, int steps) {
  torch::manual_seed(0);
  auto policy = model::init_model(toy_config(), 3);
  auto reference = model::init_model(toy_config(), 3);
  for (auto& p : reference->parameters()) p.set_requires_grad(false);
  train::Qwen3Lm policy_lm(policy, {});
  train::Qwen3Lm reference_lm(reference, {});
  train::UpdaterOptions u;
  u.optimizer.lr = 3e-3;
  u.optimizer.weight_decay = 0.01;
  u.max_grad_norm = 1.0;
  u.schedule = train::Schedule{train::ScheduleKind::Constant, 3e-3, 0, steps};
  train::Updater updater(policy->parameters(), u);
  const std::vector<std::vector<decode::TokenId>> prompts{{1, 2, 3}, {4, 6}, {7, 8, 9, 10}, {11, 12}};
  RolloutOptions rollout;
  rollout.kind = RolloutKind::Sample;
  rollout.group = 8;
  rollout.max_new_tokens = 4;
  // A stop token makes the lengths differ, so SIDReasoner's token mean and MiniOneRec's sequence mean differ too
  // (with equal lengths and one group per micro-batch the two on-policy gradients coincide).
  rollout.stop_tokens = {2};
  UpdateOptions update;
  update.algo = algo;
  update.micro_batch = 8;
  update.pad_id = 0;
  std::vector<double> means;
  for (int step = 0; step < steps; ++step) {
    decode::LmStepModel model(policy, 0);
    auto result = roll_out(model, prompts, rollout, 1000 + static_cast<std::uint64_t>(step));
    std::vector<double> rewards;
    for (const auto& c : result.completions)
      rewards.push_back(static_cast<double>(std::count(c.begin(), c.end(), kRewarded)) / 4.0);
    means.push_back(std::accumulate(rewards.begin(), rewards.end(), 0.0) / static_cast<double>(rewards.size()));
    auto advantages = group_advantages(rewards, result.group_sizes, 1e-6);
    std::vector<Trajectory> trajectories;
    for (std::size_t i = 0; i < result.completions.size(); ++i)
      trajectories.push_back(Trajectory{&prompts[i / 8], &result.completions[i], advantages[i]});
    auto report = grpo_update(policy_lm, reference_lm, updater, nullptr, trajectories, update, step);
    EXPECT_TRUE(report.step.stepped);
    EXPECT_TRUE(std::isfinite(report.kl) && report.kl >= 0.0);
    EXPECT_GT(report.entropy, 0.0);
  }
  return means;
}

void expect_steady_rise(const std::vector<double>& means, int window) {
  std::vector<double> windows;
  for (std::size_t begin = 0; begin + window <= means.size(); begin += window)
    windows.push_back(std::accumulate(means.begin() + begin, means.begin() + begin + window, 0.0) / window);
  std::string text;
  for (double w : windows) text += std::to_string(w) + " ";
  std::printf("mean reward per %d-step window: %s\n", window, text.c_str());
  for (std::size_t i = 1; i < windows.size(); ++i) EXPECT_GT(windows[i], windows[i - 1]) << text;
  EXPECT_GT(windows.back(), windows.front() + 0.3) << text;
}

TEST(ToyTask, SidReasonerGrpoRaisesTheMeanRewardSteadily) { expect_steady_rise(run_toy(Algo::SidReasoner, 40), 10); }

TEST(ToyTask, MiniOneRecGrpoRaisesTheMeanRewardSteadily) { expect_steady_rise(run_toy(Algo::MiniOneRec, 40), 10); }

}  // namespace
}  // namespace sidr::rl
