// n samples per prompt (one prefill, the cache expanded to the n rows) against the same prompts repeated n times
// (n prefills), on a random Qwen3. Prints one JSON line per way: wall seconds, prefill tokens, generated tokens.
// The shared-prompt-span cache of LmStepModel is off, so a repeated prompt is really prefilled again (with it on,
// identical prompts would share all but their last token).
// Usage: generate_bench --config configs/models/qwen3-3m.json [--prompts 4 --prompt-tokens 256 --samples 8
//                       --new-tokens 16 --threads 1 --repeats 3]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "decode/generate.h"
#include "decode/lm_step_model.h"
#include "model/checkpoint.h"
#include "model/runtime.h"

using namespace sidr;

namespace {

// Counts the prompt tokens start() prefills.
class Counting : public decode::StepModel {
 public:
  explicit Counting(decode::StepModel& inner) : inner_(inner) {}
  torch::Tensor start(const std::vector<std::vector<decode::TokenId>>& prompts) override {
    for (const auto& p : prompts) prefill += static_cast<std::int64_t>(p.size());
    return inner_.start(prompts);
  }
  torch::Tensor step(const torch::Tensor& rows, const torch::Tensor& tokens) override {
    return inner_.step(rows, tokens);
  }
  std::int64_t vocab_size() const override { return inner_.vocab_size(); }
  std::int64_t prefill = 0;

 private:
  decode::StepModel& inner_;
};

}  // namespace

int main(int argc, char** argv) {
  std::string config_path;
  int prompts = 4, prompt_tokens = 256, samples = 8, new_tokens = 16, threads = 1, repeats = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string key = argv[i];
    const char* v = argv[i + 1];
    if (key == "--config") config_path = v;
    else if (key == "--prompts") prompts = std::atoi(v);
    else if (key == "--prompt-tokens") prompt_tokens = std::atoi(v);
    else if (key == "--samples") samples = std::atoi(v);
    else if (key == "--new-tokens") new_tokens = std::atoi(v);
    else if (key == "--threads") threads = std::atoi(v);
    else if (key == "--repeats") repeats = std::atoi(v);
    else {
      std::fprintf(stderr, "unknown option %s\n", argv[i]);
      return 2;
    }
  }
  model::set_intra_op_threads(threads);
  auto config = model::ModelConfig::load(config_path);
  auto qwen = model::init_model(config, 0);
  decode::LmStepModel lm(qwen, 0);
  lm.set_min_shared_prefix(SIZE_MAX);
  std::mt19937 rng(1);
  std::vector<std::vector<decode::TokenId>> distinct(static_cast<std::size_t>(prompts));
  for (auto& p : distinct)
    for (int t = 0; t < prompt_tokens; ++t) p.push_back(static_cast<decode::TokenId>(rng() % config.vocab_size));
  std::vector<std::vector<decode::TokenId>> repeated;
  for (const auto& p : distinct)
    for (int s = 0; s < samples; ++s) repeated.push_back(p);

  decode::GenerateOptions options;
  options.max_new_tokens = new_tokens;
  options.sample = true;
  options.seed = 3;
  for (int r = 0; r < repeats; ++r) {
    for (int way = 0; way < 2; ++way) {  // interleaved: n samples, then n separate prompts
      Counting counting(lm);
      auto o = options;
      o.samples = way == 0 ? samples : 1;
      auto t0 = std::chrono::steady_clock::now();
      auto gens = decode::generate(counting, way == 0 ? distinct : repeated, o);
      double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::int64_t generated = 0;
      for (const auto& g : gens) generated += static_cast<std::int64_t>(g.tokens.size());
      std::printf("{\"way\": \"%s\", \"repeat\": %d, \"prompts\": %d, \"samples\": %d, \"prompt_tokens\": %d, "
                  "\"sequences\": %zu, \"prefill_tokens\": %lld, \"generated_tokens\": %lld, \"seconds\": %.3f}\n",
                  way == 0 ? "n_samples_per_prompt" : "n_separate_prompts", r, prompts, samples, prompt_tokens,
                  gens.size(), static_cast<long long>(counting.prefill), static_cast<long long>(generated), seconds);
      std::fflush(stdout);
    }
  }
  return 0;
}
