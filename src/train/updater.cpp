#include "train/updater.h"

#include <cmath>
#include <limits>
#include <string>

#include <fmt/format.h>

#include "util/error.h"

namespace sidr::train {

const char* optimizer_kind_name(OptimizerKind kind) { return kind == OptimizerKind::AdamW ? "adamw" : "adam"; }

namespace {

// InputError naming the field; the options are returned for the member initialiser.
UpdaterOptions validated(UpdaterOptions options) {
  auto fail = [](const char* field, const std::string& message) {
    throw InputError(fmt::format("optimizer {}: {}", field, message));
  };
  const OptimizerOptions& o = options.optimizer;
  if (!(o.lr > 0.0) || !std::isfinite(o.lr)) fail("lr", "must be a positive number");
  if (!(o.beta1 >= 0.0 && o.beta1 < 1.0)) fail("beta1", "must be in [0, 1)");
  if (!(o.beta2 >= 0.0 && o.beta2 < 1.0)) fail("beta2", "must be in [0, 1)");
  if (!(o.eps > 0.0)) fail("eps", "must be positive");
  if (!(o.weight_decay >= 0.0)) fail("weight decay", "must not be negative");
  if (!std::isfinite(options.max_grad_norm)) fail("max grad norm", "must be finite (0 turns clipping off)");
  return options;
}

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const std::vector<torch::Tensor>& parameters,
                                                        const OptimizerOptions& o) {
  auto betas = std::make_tuple(o.beta1, o.beta2);
  if (o.kind == OptimizerKind::AdamW)
    return std::make_unique<torch::optim::AdamW>(
        parameters, torch::optim::AdamWOptions(o.lr).betas(betas).eps(o.eps).weight_decay(o.weight_decay));
  return std::make_unique<torch::optim::Adam>(
      parameters, torch::optim::AdamOptions(o.lr).betas(betas).eps(o.eps).weight_decay(o.weight_decay));
}

}  // namespace

double clip_grad_norm(const std::vector<torch::Tensor>& buffers, double max_norm) {
  torch::NoGradGuard no_grad;
  double squares = 0.0;
  for (const auto& buffer : buffers) squares += buffer.to(torch::kFloat64).pow(2).sum().item<double>();
  double norm = std::sqrt(squares);
  if (max_norm > 0.0) {
    double coefficient = max_norm / (norm + 1e-6);
    if (coefficient < 1.0)
      for (const auto& buffer : buffers) buffer.mul_(coefficient);
  }
  return norm;
}

Updater::Updater(std::vector<torch::Tensor> parameters, UpdaterOptions options, Distributed* distributed)
    : options_(validated(std::move(options))),
      distributed_(distributed),
      buckets_(parameters),
      optimizer_(make_optimizer(parameters, options_.optimizer)) {}

Updater::~Updater() = default;

StepReport Updater::step_indexed(std::size_t count, const std::function<MicroBatchCounts(std::size_t)>& counts,
                                 const std::function<torch::Tensor(std::size_t)>& loss_sum,
                                 std::int64_t schedule_step) {
  // The denominator must be global before the first backward: one all-reduce of the counts up front.
  std::vector<MicroBatchCounts> local(count);
  double local_denominator = 0.0;
  double local_tokens = 0.0;
  for (std::size_t i = 0; i < count; ++i) {
    local[i] = counts(i);
    local_denominator += local[i].denominator;
    local_tokens += local[i].tokens;
  }
  StepReport report;
  report.denominator = local_denominator;
  report.tokens = local_tokens;
  if (distributed_ != nullptr && distributed_->world_size() > 1) {
    auto totals = torch::tensor({local_denominator, local_tokens}, torch::kFloat64);
    distributed_->all_reduce_sum(totals);
    report.denominator = totals[0].item<double>();
    report.tokens = totals[1].item<double>();
  }

  buckets_.zero();
  double local_loss = 0.0;
  for (std::size_t i = 0; i < count; ++i) {
    if (local[i].denominator == 0.0) continue;
    auto sum = loss_sum(i);
    (sum / report.denominator).backward();
    local_loss += sum.item<double>();
  }
  double loss_total = local_loss;
  if (distributed_ != nullptr && distributed_->world_size() > 1) {
    buckets_.all_reduce_sum(*distributed_);
    auto total = torch::tensor({local_loss}, torch::kFloat64);
    distributed_->all_reduce_sum(total);
    loss_total = total.item<double>();
  }
  report.loss = report.denominator > 0 ? loss_total / report.denominator : 0.0;
  report.grad_norm = options_.max_grad_norm > 0.0 || options_.report_grad_norm
                         ? clip_grad_norm(buckets_.buffers(), options_.max_grad_norm)
                         : std::numeric_limits<double>::quiet_NaN();
  report.lr = options_.schedule.lr_at(schedule_step);
  for (auto& group : optimizer_->param_groups()) group.options().set_lr(report.lr);
  if (report.denominator > 0) {
    optimizer_->step();
    report.stepped = true;
  }
  return report;
}

}  // namespace sidr::train
