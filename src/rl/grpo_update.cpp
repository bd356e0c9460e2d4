#include "rl/grpo_update.h"

#include <chrono>

#include "util/error.h"

namespace sidr::rl {
namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// A micro-batch with what its loss needs besides the policy's forward pass.
struct RlBatch {
  train::Batch batch;
  torch::Tensor advantages;     // (N) per completion token
  torch::Tensor sequence;       // (N) completion index within the micro-batch
  torch::Tensor ref_log_probs;  // (N)
  std::int64_t sequences = 0;
};

}  // namespace

Algo parse_algo(const std::string& name) {
  if (name == "sidreasoner") return Algo::SidReasoner;
  if (name == "minionerec") return Algo::MiniOneRec;
  throw InputError("option --algo: unknown algorithm '" + name + "' (sidreasoner, minionerec)");
}

const char* algo_name(Algo algo) { return algo == Algo::SidReasoner ? "sidreasoner" : "minionerec"; }

TokenLogProbs completion_log_probs(train::CausalLm& model, const train::Batch& batch, bool with_entropy) {
  auto hidden = model.forward_hidden(batch.input_ids, batch.attention_mask);  // (B, T, H)
  auto width = hidden.size(-1);
  auto before = hidden.narrow(1, 0, hidden.size(1) - 1).reshape({-1, width});
  auto targets = batch.labels.narrow(1, 1, batch.labels.size(1) - 1).reshape({-1}).to(hidden.device());
  auto rows = (targets != train::kIgnoreLabel).nonzero().squeeze(1);
  auto logits = model.logits(before.index_select(0, rows)).to(torch::kFloat32);  // (N, V)
  auto log_softmax = torch::log_softmax(logits, -1);
  TokenLogProbs out;
  out.log_probs = log_softmax.gather(1, targets.index_select(0, rows).unsqueeze(1)).squeeze(1);
  if (with_entropy) {
    torch::NoGradGuard no_grad;
    out.entropy = -(log_softmax.exp() * log_softmax).sum(-1);
  }
  return out;
}

std::vector<train::Sample> trajectory_samples(const std::vector<Trajectory>& trajectories) {
  std::vector<train::Sample> samples;
  samples.reserve(trajectories.size());
  for (const auto& t : trajectories) {
    train::Sample s;
    s.input_ids.assign(t.prompt->begin(), t.prompt->end());
    s.labels.assign(t.prompt->size(), train::kIgnoreLabel);
    s.input_ids.insert(s.input_ids.end(), t.completion->begin(), t.completion->end());
    s.labels.insert(s.labels.end(), t.completion->begin(), t.completion->end());
    samples.push_back(std::move(s));
  }
  return samples;
}

UpdateReport grpo_update(train::CausalLm& policy, train::CausalLm& reference, train::Updater& updater,
                         train::Distributed* distributed, const std::vector<Trajectory>& trajectories,
                         const UpdateOptions& options, std::int64_t schedule_step) {
  for (const auto& t : trajectories)
    if (t.prompt->empty() || t.completion->empty())
      throw std::logic_error("grpo_update: a trajectory has an empty prompt or completion");
  UpdateReport report;
  // No dropout in RL (a small model's sidr_dropout): the policy's log-probs must be those the rollouts sampled
  // from and the reference's function of the same weights (k3 KL exactly 0 before the first update).
  // Gradients flow in eval mode as in train mode.
  policy.module().eval();
  reference.module().eval();
  auto samples = trajectory_samples(trajectories);
  const auto mb = static_cast<std::size_t>(options.micro_batch);
  std::vector<RlBatch> batches;
  auto reference_start = std::chrono::steady_clock::now();
  for (std::size_t begin = 0; begin < samples.size(); begin += mb) {
    std::size_t end = std::min(samples.size(), begin + mb);
    std::vector<std::size_t> rows;
    std::vector<float> advantages;
    std::vector<std::int64_t> sequence;
    for (std::size_t i = begin; i < end; ++i) {
      rows.push_back(i);
      for (std::size_t k = 0; k < trajectories[i].completion->size(); ++k) {
        advantages.push_back(static_cast<float>(trajectories[i].advantage));
        sequence.push_back(static_cast<std::int64_t>(i - begin));
      }
    }
    RlBatch b;
    b.batch = train::collate(samples, rows, options.pad_id);
    b.sequences = static_cast<std::int64_t>(end - begin);
    b.advantages = torch::tensor(advantages);
    b.sequence = torch::tensor(sequence, torch::kInt64);
    {
      torch::NoGradGuard no_grad;
      b.ref_log_probs = completion_log_probs(reference, b.batch, false).log_probs.detach();
    }
    auto device = b.ref_log_probs.device();
    b.advantages = b.advantages.to(device);
    b.sequence = b.sequence.to(device);
    if (b.ref_log_probs.size(0) != b.advantages.size(0))
      throw std::logic_error("grpo_update: labelled tokens do not match the completions");
    batches.push_back(std::move(b));
  }
  report.reference_seconds = seconds_since(reference_start);

  auto update_start = std::chrono::steady_clock::now();
  double kl_sum = 0.0, entropy_sum = 0.0, tokens = 0.0;
  train::Objective<RlBatch> objective;
  objective.counts = [&](const RlBatch& b) {
    train::MicroBatchCounts c;
    // SIDReasoner: each micro-batch's token mean counts once (the step averages micro-batches over the ranks);
    // MiniOneRec: each completion's token mean counts once (the step averages completions).
    c.denominator = options.algo == Algo::SidReasoner ? 1.0 : static_cast<double>(b.sequences);
    c.tokens = static_cast<double>(b.batch.tokens);
    return c;
  };
  objective.loss_sum = [&](const RlBatch& b) {
    auto current = completion_log_probs(policy, b.batch, true);
    const auto n = static_cast<double>(current.log_probs.size(0));
    tokens += n;
    entropy_sum += current.entropy.sum().item<double>();
    LossParts parts;
    if (options.algo == Algo::SidReasoner) {
      parts = sidreasoner_loss(current.log_probs, current.log_probs.detach(), b.ref_log_probs, b.advantages,
                               options.clip, options.kl_coef);
      kl_sum += parts.kl * n;
    } else {
      parts = minionerec_loss(current.log_probs, b.ref_log_probs, b.advantages, b.sequence, b.sequences,
                              options.kl_coef);
      kl_sum += k3_kl(b.ref_log_probs, current.log_probs.detach(), false).sum().item<double>();
    }
    return parts.loss;
  };
  report.step = updater.step(batches, objective, schedule_step);
  report.update_seconds = seconds_since(update_start);
  auto sums = torch::tensor({kl_sum, entropy_sum, tokens}, torch::kFloat64);
  if (distributed) distributed->all_reduce_sum(sums);
  report.tokens = sums[2].item<double>();
  if (report.tokens > 0) {
    report.kl = sums[0].item<double>() / report.tokens;
    report.entropy = sums[1].item<double>() / report.tokens;
  }
  return report;
}

}  // namespace sidr::rl
