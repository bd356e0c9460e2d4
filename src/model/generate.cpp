#include "model/generate.h"

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "util/error.h"

namespace sidr::model {

void SamplingOptions::validate() const {
  if (max_new_tokens < 0) throw InputError(fmt::format("max new tokens must not be negative, got {}", max_new_tokens));
  if (temperature < 0) throw InputError(fmt::format("temperature must not be negative, got {}", temperature));
  if (top_k < 0) throw InputError(fmt::format("top-k must not be negative, got {}", top_k));
  if (!(top_p > 0 && top_p <= 1)) throw InputError(fmt::format("top-p must be in (0, 1], got {}", top_p));
}

namespace {

void check_ids(const Qwen3& model, const std::vector<std::int64_t>& ids) {
  for (auto id : ids)
    if (id < 0 || id >= model->config().vocab_size)
      throw InputError(fmt::format("token id {} is outside the vocabulary [0, {})", id, model->config().vocab_size));
}

torch::Tensor as_batch(const std::vector<std::int64_t>& ids, torch::Device device) {
  return torch::tensor(ids, torch::kInt64).view({1, static_cast<std::int64_t>(ids.size())}).to(device);  // (1, T)
}

}  // namespace

torch::Tensor filter_logits(const torch::Tensor& logits, const SamplingOptions& options) {
  const double neg_inf = -std::numeric_limits<double>::infinity();
  auto out = logits.to(torch::kFloat32) / options.temperature;
  if (options.top_k > 0 && options.top_k < out.size(-1)) {
    auto kth = std::get<0>(out.topk(options.top_k, -1)).narrow(-1, options.top_k - 1, 1);  // (..., 1)
    out = out.masked_fill(out < kth, neg_inf);
  }
  if (options.top_p < 1.0) {
    auto [sorted, order] = out.sort(-1, /*descending=*/true);
    auto cumulative = sorted.softmax(-1).cumsum(-1);
    // Drop a token when the tokens ranked above it already reach top_p (the best token always stays).
    auto drop_sorted = (cumulative - sorted.softmax(-1)) >= options.top_p;
    auto drop = torch::zeros_like(drop_sorted).scatter(-1, order, drop_sorted);
    out = out.masked_fill(drop, neg_inf);
  }
  return out;
}

std::vector<std::int64_t> generate(Qwen3& model, const std::vector<std::int64_t>& prompt,
                                   const SamplingOptions& options) {
  options.validate();
  if (prompt.empty()) throw InputError("generate: the prompt has no tokens");
  check_ids(model, prompt);
  torch::NoGradGuard no_grad;
  model->eval();
  auto device = model->device();
  auto generator = at::make_generator<at::CPUGeneratorImpl>(options.seed);
  KvCache cache;
  auto input = as_batch(prompt, device);  // (1, T)
  std::vector<std::int64_t> out;
  for (std::int64_t step = 0; step < options.max_new_tokens; ++step) {
    auto mask = torch::ones_like(input);
    auto hidden = model->forward_hidden(input, mask, &cache);                // (1, T, hidden)
    auto logits = model->logits(hidden.select(1, hidden.size(1) - 1))[0];   // (V)
    std::int64_t next;
    if (options.temperature <= 0) {
      next = logits.argmax().item<std::int64_t>();
    } else {
      auto probs = filter_logits(logits, options).softmax(-1).to(torch::kCPU);
      next = probs.multinomial(1, false, generator).item<std::int64_t>();
    }
    out.push_back(next);
    if (std::find(options.stop_ids.begin(), options.stop_ids.end(), next) != options.stop_ids.end()) break;
    input = torch::full({1, 1}, next, torch::TensorOptions().dtype(torch::kInt64).device(device));
  }
  return out;
}

std::vector<double> score_tokens(Qwen3& model, const std::vector<std::int64_t>& ids) {
  if (ids.size() < 2) throw InputError("score: need at least two token ids");
  check_ids(model, ids);
  torch::NoGradGuard no_grad;
  model->eval();
  auto input = as_batch(ids, model->device());                                    // (1, T)
  auto logits = model->forward(input, torch::ones_like(input)).to(torch::kFloat32)[0];  // (T, V)
  auto log_probs = logits.log_softmax(-1).narrow(0, 0, input.size(1) - 1);        // (T-1, V)
  auto targets = input[0].narrow(0, 1, input.size(1) - 1).unsqueeze(1);           // (T-1, 1)
  auto picked = log_probs.gather(1, targets).squeeze(1).to(torch::kCPU, torch::kFloat64);
  return std::vector<double>(picked.data_ptr<double>(), picked.data_ptr<double>() + picked.numel());
}

}  // namespace sidr::model
