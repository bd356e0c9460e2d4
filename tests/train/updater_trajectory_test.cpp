// Trajectory test in the style of llm.c's test_gpt2: 10 AdamW steps of train::Updater on a tiny Qwen3 (weight
// decay, warmup + linear decay, clipping and 2 micro-batches of accumulation all active), against an independent
// python3-torch loop (tests/train/updater_trajectory_reference.py: the eager Qwen3 of bench/eager_qwen3.py,
// full-logits cross-entropy, torch.optim.AdamW, torch.nn.utils.clip_grad_norm_) started from the same weights.
// Loss, gradient norm, learning rate and every weight are compared after every step (float32; the tolerances
// are stated in the reference script).
#include <cstdlib>
#include <random>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "../model/model_test_util.h"
#include "model/checkpoint.h"
#include "train/loss.h"
#include "train/qwen3_lm.h"
#include "train/updater.h"
#include "util/file_io.h"
#include "util/json.h"

namespace sidr::train {
namespace {

constexpr int kSteps = 10;
constexpr int kMicroBatches = 2;

// A prompt (not supervised) then a supervised run, 2-3 rows per micro-batch, varied lengths (left padding).
Batch random_micro_batch(std::mt19937& rng, std::int64_t vocab) {
  std::vector<Sample> samples;
  const int rows = 2 + static_cast<int>(rng() % 2);
  for (int r = 0; r < rows; ++r) {
    const int prompt = 2 + static_cast<int>(rng() % 5);
    const int target = 1 + static_cast<int>(rng() % 4);
    Sample sample;
    for (int t = 0; t < prompt + target; ++t) {
      auto token = static_cast<std::int32_t>(1 + rng() % static_cast<std::uint32_t>(vocab - 1));
      sample.input_ids.push_back(token);
      sample.labels.push_back(t < prompt ? kIgnoreLabel : token);
    }
    samples.push_back(std::move(sample));
  }
  std::vector<std::size_t> all(samples.size());
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
  return collate(samples, all, /*pad_id=*/0);
}

Json rows_of(const torch::Tensor& matrix) {  // (B, T) int64 -> [[...], ...]
  Json out = Json::array();
  auto a = matrix.accessor<std::int64_t, 2>();
  for (std::int64_t b = 0; b < matrix.size(0); ++b) {
    Json row = Json::array();
    for (std::int64_t t = 0; t < matrix.size(1); ++t) row.push_back(a[b][t]);
    out.push_back(row);
  }
  return out;
}

TEST(UpdaterTrajectory, TenAdamWStepsMatchAnIndependentTorchLoop) {
  model::testing::ScratchDir dir("updater_trajectory");
  auto config = model::testing::tiny_config();
  auto qwen = model::init_model(config, /*seed=*/11);
  model::save_model(qwen, dir.path() / "step-00");
  Qwen3Lm lm(qwen, {});

  UpdaterOptions options;
  options.optimizer = {OptimizerKind::AdamW, /*lr=*/3e-2, /*beta1=*/0.9, /*beta2=*/0.95, /*eps=*/1e-8,
                       /*weight_decay=*/0.1};
  options.max_grad_norm = 4.5;  // the norms run 2.7-6.6: some steps are clipped, some not
  options.schedule = {ScheduleKind::Linear, 3e-2, /*warmup_steps=*/3, /*total_steps=*/kSteps + 2};
  Updater updater(lm.module().parameters(), options);
  const Objective<Batch> objective{
      [](const Batch& b) { return MicroBatchCounts{static_cast<double>(b.label_tokens), static_cast<double>(b.tokens)}; },
      [&](const Batch& b) { return labelled_loss_sum(lm, b); }};

  std::mt19937 rng(5);
  Json steps = Json::array();
  int clipped = 0;
  for (int s = 0; s < kSteps; ++s) {
    std::vector<Batch> batches;
    Json micro = Json::array();
    for (int m = 0; m < kMicroBatches; ++m) {
      batches.push_back(random_micro_batch(rng, config.vocab_size));
      micro.push_back({{"input_ids", rows_of(batches.back().input_ids)},
                       {"attention_mask", rows_of(batches.back().attention_mask)},
                       {"labels", rows_of(batches.back().labels)}});
    }
    StepReport report = updater.step(batches, objective, s);
    ASSERT_TRUE(report.stepped);
    if (report.grad_norm > options.max_grad_norm) ++clipped;
    model::save_model(qwen, dir.path() / fmt::format("step-{:02d}", s + 1));
    steps.push_back({{"micro_batches", micro},
                     {"loss", report.loss},
                     {"grad_norm", report.grad_norm},
                     {"lr", report.lr},
                     {"label_tokens", report.denominator}});
  }
  // The comparison means something only if clipping acted on some steps and not on others.
  EXPECT_GT(clipped, 0);
  EXPECT_LT(clipped, kSteps);

  Json trajectory{{"lr", options.optimizer.lr},
                  {"betas", {options.optimizer.beta1, options.optimizer.beta2}},
                  {"eps", options.optimizer.eps},
                  {"weight_decay", options.optimizer.weight_decay},
                  {"max_grad_norm", options.max_grad_norm},
                  {"warmup_steps", options.schedule.warmup_steps},
                  {"total_steps", options.schedule.total_steps},
                  {"steps", steps}};
  write_file_atomic(dir.path() / "trajectory.json", trajectory.dump());
  std::string command = fmt::format("/usr/bin/python3 {}/train/updater_trajectory_reference.py {}", SIDR_TEST_DIR,
                                    dir.path().string());
  EXPECT_EQ(std::system(command.c_str()), 0) << command;
}

}  // namespace
}  // namespace sidr::train
