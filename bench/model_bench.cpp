// Throughput of our Qwen3 on CPU: forward, forward+backward (batch x seq), and incremental decoding with the
// KV cache. Prints one JSON line; bench/model_bench.py runs it next to the same model in PyTorch eager.
// Usage: model_bench --config configs/models/qwen3-3m.json --mode forward|train|decode --threads 1
//                    [--batch 32 --seq 128 --iters 3 --warmup 1 --prompt 16 --new-tokens 32]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <time.h>

#include "model/checkpoint.h"
#include "model/runtime.h"

using namespace sidr::model;

int main(int argc, char** argv) {
  std::string config_path, mode = "forward";
  int threads = 1, iters = 3, warmup = 1;
  std::int64_t batch = 32, seq = 128, prompt = 16, new_tokens = 32;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string key = argv[i];
    const char* v = argv[i + 1];
    if (key == "--config") config_path = v;
    else if (key == "--mode") mode = v;
    else if (key == "--threads") threads = std::atoi(v);
    else if (key == "--iters") iters = std::atoi(v);
    else if (key == "--warmup") warmup = std::atoi(v);
    else if (key == "--batch") batch = std::atoll(v);
    else if (key == "--seq") seq = std::atoll(v);
    else if (key == "--prompt") prompt = std::atoll(v);
    else if (key == "--new-tokens") new_tokens = std::atoll(v);
    else {
      std::fprintf(stderr, "unknown option %s\n", argv[i]);
      return 2;
    }
  }
  sidr::model::set_intra_op_threads(threads);  // OpenBLAS pool too, as the CLI does
  auto config = ModelConfig::load(config_path);
  auto model = init_model(config, 0);
  torch::manual_seed(0);
  auto step = [&]() -> std::int64_t {  // returns tokens processed
    if (mode == "forward") {
      torch::NoGradGuard no_grad;
      model->eval();
      auto ids = torch::randint(config.vocab_size, {batch, seq}, torch::kInt64);
      model->forward(ids, torch::ones_like(ids));
      return batch * seq;
    }
    if (mode == "train") {
      model->train();
      auto ids = torch::randint(config.vocab_size, {batch, seq}, torch::kInt64);
      auto logits = model->forward(ids, torch::ones_like(ids));  // (B, T, V)
      auto loss = torch::nn::functional::cross_entropy(logits.view({-1, config.vocab_size}), ids.view({-1}));
      model->zero_grad();
      loss.backward();
      return batch * seq;
    }
    // decode: prefill `prompt` tokens, then `new_tokens` greedy steps with the cache
    torch::NoGradGuard no_grad;
    model->eval();
    auto ids = torch::randint(config.vocab_size, {batch, prompt}, torch::kInt64);
    KvCache cache;
    auto logits = model->forward(ids, torch::ones_like(ids), &cache);
    for (std::int64_t t = 0; t < new_tokens; ++t) {
      auto next = logits.select(1, logits.size(1) - 1).argmax(-1, true);  // (B, 1)
      logits = model->forward(next, torch::ones_like(next), &cache);
    }
    return batch * new_tokens;
  };
  // CPU time of the whole process: on a shared, oversubscribed machine it tracks the work done better than
  // wall time (both are reported).
  auto cpu_seconds = [] {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
  };
  for (int i = 0; i < warmup; ++i) step();
  double best = 1e30, best_cpu = 1e30;
  std::int64_t tokens = 0;
  for (int i = 0; i < iters; ++i) {
    auto start = std::chrono::steady_clock::now();
    double cpu_start = cpu_seconds();
    tokens = step();
    best_cpu = std::min(best_cpu, cpu_seconds() - cpu_start);
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::printf(
      "{\"impl\": \"sidr\", \"mode\": \"%s\", \"threads\": %d, \"seconds\": %.6f, \"tokens_per_s\": %.1f, "
      "\"cpu_seconds\": %.6f, \"tokens_per_cpu_s\": %.1f}\n",
      mode.c_str(), threads, best, tokens / best, best_cpu, tokens / best_cpu);
  return 0;
}
