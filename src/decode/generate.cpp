#include "decode/generate.h"

#include <algorithm>
#include <string>

#include "util/error.h"

namespace sidr::decode {

void GenerateOptions::validate() const {
  if (max_new_tokens < 1) throw InputError("max new tokens must be at least 1, got " + std::to_string(max_new_tokens));
  if (samples < 1) throw InputError("samples per prompt must be at least 1, got " + std::to_string(samples));
  sampling.validate();
}

namespace {

torch::Tensor to_int64_tensor(const std::vector<std::int64_t>& values) {
  return torch::tensor(at::ArrayRef<std::int64_t>(values), torch::kInt64);
}

}  // namespace

std::vector<Generation> generate(StepModel& model, const std::vector<std::vector<TokenId>>& prompts,
                                 const GenerateOptions& options, LogitsProcessor* constraint) {
  Sampler sampler = options.sample ? Sampler::multinomial(options.seed) : Sampler::greedy();
  return generate(model, prompts, options, sampler, constraint);
}

std::vector<Generation> generate(StepModel& model, const std::vector<std::vector<TokenId>>& prompts,
                                 const GenerateOptions& options, Sampler& sampler, LogitsProcessor* constraint) {
  options.validate();
  const auto samples = static_cast<std::size_t>(options.samples);
  std::vector<Generation> out(prompts.size() * samples);
  if (prompts.empty()) return out;
  torch::NoGradGuard no_grad;
  // Greedy decoding takes the argmax of the model's own scores: the warpers would not change it.
  LogitsProcessorList processors = make_logits_processors(options.sampling, constraint, options.sample);
  const bool reads_tokens = processors.reads_tokens();
  processors.reset(static_cast<std::int64_t>(out.size()));

  // Row r of the current batch is generation active[r]; its state is row model_row[r] of the model's batch
  // (at the first step one model row per prompt serves its n samples).
  std::vector<std::size_t> active(out.size());
  std::vector<std::int64_t> model_row(out.size());
  for (std::size_t g = 0; g < out.size(); ++g) {
    active[g] = g;
    model_row[g] = static_cast<std::int64_t>(g / samples);
  }
  // The chosen tokens' log-probs stay on the device until the end: (rows of step t) per step.
  std::vector<torch::Tensor> step_log_probs, step_model_log_probs;
  std::vector<std::size_t> step_owner;  // generation of each entry of the concatenated per-step tensors

  torch::Tensor logits = model.start(prompts).to(torch::kFloat32);  // (N, V)
  for (int step = 0; step < options.max_new_tokens; ++step) {
    if (step == 0 && samples > 1)
      logits = logits.index_select(0, to_int64_tensor(model_row).to(logits.device()));  // (N * n, V)
    auto model_log_probs = torch::log_softmax(logits, -1);  // (R, V)
    std::vector<RowTokens> rows;
    if (reads_tokens)
      for (std::size_t g : active) rows.push_back({&prompts[g / samples], &out[g].tokens});
    auto scores = processors.empty() ? logits : processors.process(logits.clone(), rows);  // (R, V)
    auto chosen = sampler.draw(scores, 1);                                                 // (R, 1) on the device
    step_model_log_probs.push_back(model_log_probs.gather(1, chosen).squeeze(1));
    step_log_probs.push_back(processors.empty() ? step_model_log_probs.back()
                                                : torch::log_softmax(scores, -1).gather(1, chosen).squeeze(1));
    auto next = chosen.view({-1}).to(torch::kCPU);  // the only transfer of a step
    auto next_a = next.accessor<std::int64_t, 1>();

    std::vector<std::int64_t> keep_rows, keep_model_rows, keep_tokens, stopped_model_rows;
    std::vector<std::size_t> keep_active, stopped;
    const bool last = step + 1 == options.max_new_tokens;
    for (std::size_t r = 0; r < active.size(); ++r) {
      auto token = static_cast<TokenId>(next_a[static_cast<std::int64_t>(r)]);
      auto& gen = out[active[r]];
      gen.tokens.push_back(token);
      step_owner.push_back(active[r]);
      bool stops = std::find(options.stop_tokens.begin(), options.stop_tokens.end(), token) !=
                   options.stop_tokens.end();
      if (stops) gen.reason = StopReason::StopToken;
      if (stops || last) {
        stopped.push_back(active[r]);
        stopped_model_rows.push_back(model_row[r]);
        continue;
      }
      keep_rows.push_back(static_cast<std::int64_t>(r));
      keep_model_rows.push_back(model_row[r]);
      keep_tokens.push_back(token);
      keep_active.push_back(active[r]);
    }
    if (options.keep_state && !stopped.empty()) {
      auto saved = model.save(to_int64_tensor(stopped_model_rows));
      for (std::size_t i = 0; i < stopped.size(); ++i) {
        out[stopped[i]].saved = saved;
        out[stopped[i]].saved_row = static_cast<std::int64_t>(i);
      }
    }
    if (options.on_token) {
      bool go_on = true;
      for (std::size_t r = 0; r < active.size(); ++r)
        go_on = options.on_token(active[r], static_cast<TokenId>(next_a[static_cast<std::int64_t>(r)])) && go_on;
      if (!go_on) {
        for (std::size_t g : keep_active) out[g].reason = StopReason::Cancelled;
        break;
      }
    }
    if (keep_rows.empty()) break;
    std::vector<TokenId> kept_tokens(keep_tokens.begin(), keep_tokens.end());
    processors.advance(keep_rows, kept_tokens);
    logits = model.step(to_int64_tensor(keep_model_rows), to_int64_tensor(keep_tokens)).to(torch::kFloat32);
    active = std::move(keep_active);
    model_row.resize(active.size());
    for (std::size_t r = 0; r < active.size(); ++r) model_row[r] = static_cast<std::int64_t>(r);
  }

  auto lp = torch::cat(step_log_probs).to(torch::kCPU, torch::kFloat32).contiguous();
  auto mlp = torch::cat(step_model_log_probs).to(torch::kCPU, torch::kFloat32).contiguous();
  const float* lp_a = lp.data_ptr<float>();
  const float* mlp_a = mlp.data_ptr<float>();
  for (std::size_t i = 0; i < step_owner.size(); ++i) {
    out[step_owner[i]].log_probs.push_back(lp_a[i]);
    out[step_owner[i]].model_log_probs.push_back(mlp_a[i]);
  }
  return out;
}

}  // namespace sidr::decode
