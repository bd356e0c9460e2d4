// One optimizer step, shared by every training loop (SFT's Trainer, SASRec, GRPO later): gradient accumulation
// over the step's micro-batches, the gradient all-reduce over the ranks, global-norm clipping, the learning-rate
// schedule and the optimizer step. The loops around it own the policy (epochs, validation, stopping, checkpoints).
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "train/distributed.h"
#include "train/schedule.h"

namespace sidr::train {

enum class OptimizerKind {
  AdamW,  // decoupled weight decay (torch.optim.AdamW): SFT
  Adam,   // weight decay as coupled L2 added to the gradient (torch.optim.Adam): SASRec
};
const char* optimizer_kind_name(OptimizerKind kind);

struct OptimizerOptions {
  OptimizerKind kind = OptimizerKind::AdamW;
  double lr = 3e-4;  // the peak; the schedule sets each step's value
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.0;
};

struct UpdaterOptions {
  OptimizerOptions optimizer;
  double max_grad_norm = 0.0;  // <= 0: no clipping (the norm is still reported)
  // false: without clipping the norm is not measured (NaN in the report): a pass over every gradient in float64
  // that SASRec's many small steps would pay for nothing.
  bool report_grad_norm = true;
  Schedule schedule{ScheduleKind::Constant, 3e-4, 0, 1};  // its peak_lr is the step's lr at the plateau
};

// What one micro-batch contributes to the step's counts, known before its forward pass.
struct MicroBatchCounts {
  double denominator = 0.0;  // the step's loss is sum(loss sums) / sum(denominators) over micro-batches and ranks
  double tokens = 0.0;       // work done, for throughput logs
};

// The loss of a training loop. A micro-batch whose denominator is 0 is skipped (no forward).
template <class Batch>
struct Objective {
  std::function<MicroBatchCounts(const Batch&)> counts;
  // Forward pass: the micro-batch's loss sum as a 0-dim tensor with its graph.
  std::function<torch::Tensor(const Batch&)> loss_sum;
};

// What the caller logs.
struct StepReport {
  double loss = 0.0;         // sum of loss sums / denominator, over all ranks
  double grad_norm = 0.0;    // global L2 norm before clipping (NaN when not measured)
  double lr = 0.0;
  double denominator = 0.0;  // over all micro-batches and ranks (SFT: label tokens)
  double tokens = 0.0;       // likewise
  bool stepped = false;      // false when the denominator was 0 (nothing to learn from: the weights stay)
};

// Global L2 norm of the gradient buffers; scaled in place to max_norm as torch.nn.utils.clip_grad_norm_ does
// (coefficient max_norm / (norm + 1e-6), applied only when below 1). max_norm <= 0 only measures.
double clip_grad_norm(const std::vector<torch::Tensor>& buffers, double max_norm);

class Updater {
 public:
  // parameters: the ones trained (each gets its .grad bound into a flat bucket). distributed: the data-parallel
  // group whose ranks hold replicas, or null for one process.
  Updater(std::vector<torch::Tensor> parameters, UpdaterOptions options, Distributed* distributed = nullptr);
  ~Updater();

  // One optimizer step over this rank's micro-batches. Each loss sum is divided by the step's global
  // denominator before its backward pass, so the gradient is that of the global mean (HF >= 4.46).
  // schedule_step: the position in the learning-rate schedule (usually the number of steps done).
  template <class Batch>
  StepReport step(const std::vector<Batch>& micro_batches, const Objective<Batch>& objective,
                  std::int64_t schedule_step) {
    return step_indexed(
        micro_batches.size(), [&](std::size_t i) { return objective.counts(micro_batches[i]); },
        [&](std::size_t i) { return objective.loss_sum(micro_batches[i]); }, schedule_step);
  }

  const Schedule& schedule() const { return options_.schedule; }
  // For checkpoints (train_state.h saves and loads its moments).
  torch::optim::Optimizer& optimizer() { return *optimizer_; }

 private:
  StepReport step_indexed(std::size_t count, const std::function<MicroBatchCounts(std::size_t)>& counts,
                          const std::function<torch::Tensor(std::size_t)>& loss_sum, std::int64_t schedule_step);

  UpdaterOptions options_;
  Distributed* distributed_;
  GradientBuckets buckets_;
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
};

}  // namespace sidr::train
