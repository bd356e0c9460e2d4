#include "decode/generate.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>

#include "util/error.h"

namespace sidr::decode {

void GenerateOptions::validate() const {
  if (max_new_tokens < 1) throw InputError("max new tokens must be at least 1, got " + std::to_string(max_new_tokens));
  if (sample) sampling.validate();
}

std::vector<Generation> generate(StepModel& model, const std::vector<std::vector<TokenId>>& prompts,
                                 const GenerateOptions& options) {
  options.validate();
  std::vector<Generation> out(prompts.size());
  if (prompts.empty()) return out;
  torch::NoGradGuard no_grad;
  auto generator = at::make_generator<at::CPUGeneratorImpl>(options.seed);
  // active[i]: the prompt index of current row i.
  std::vector<std::int64_t> active(prompts.size());
  for (std::size_t i = 0; i < prompts.size(); ++i) active[i] = static_cast<std::int64_t>(i);

  torch::Tensor logits = model.start(prompts);  // (R, V)
  for (int step = 0; step < options.max_new_tokens; ++step) {
    torch::Tensor next;  // (R) int64
    if (options.sample) {
      auto probs = warp_scores(logits.to(torch::kFloat32), options.sampling).softmax(-1).to(torch::kCPU);  // (R, V)
      next = probs.multinomial(1, false, generator).view({-1});
    } else {
      next = logits.argmax(-1).to(torch::kCPU);
    }
    auto next_a = next.accessor<std::int64_t, 1>();
    std::vector<std::int64_t> keep_rows, keep_tokens, keep_prompts;
    for (std::size_t r = 0; r < active.size(); ++r) {
      auto token = static_cast<TokenId>(next_a[static_cast<std::int64_t>(r)]);
      auto& gen = out[static_cast<std::size_t>(active[r])];
      gen.tokens.push_back(token);
      if (std::find(options.stop_tokens.begin(), options.stop_tokens.end(), token) != options.stop_tokens.end()) {
        gen.reason = StopReason::StopToken;
        continue;
      }
      keep_rows.push_back(static_cast<std::int64_t>(r));
      keep_tokens.push_back(token);
      keep_prompts.push_back(active[r]);
    }
    if (keep_rows.empty() || step + 1 == options.max_new_tokens) break;
    active = std::move(keep_prompts);
    logits = model.step(torch::tensor(keep_rows, torch::kInt64), torch::tensor(keep_tokens, torch::kInt64));
  }
  return out;
}

}  // namespace sidr::decode
