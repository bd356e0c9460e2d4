// Throughput of our Qwen3: forward, forward+backward (batch x seq), and incremental decoding with the KV cache.
// Prints one JSON line per mode; bench/model_bench.py (CPU) and bench/gpu_model_bench.py (CUDA) run it next to the same
// model in PyTorch eager.
// Usage: model_bench --config configs/models/qwen3-3m.json --mode forward[,train,decode] --threads 1
//                    [--batch 32 --seq 128 --iters 3 --warmup 1 --prompt 16 --new-tokens 32 --decode-batch B]
//                    [--device cpu|cuda --dtype float32|bfloat16]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>

#include <time.h>

#include "model/checkpoint.h"
#include "model/runtime.h"

using namespace sidr::model;

int main(int argc, char** argv) {
  std::string config_path, modes = "forward", device = "cpu", dtype = "float32";
  int threads = 1, iters = 3, warmup = 1;
  std::int64_t batch = 32, seq = 128, prompt = 16, new_tokens = 32, decode_batch = 0;  // 0: --batch
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string key = argv[i];
    const char* v = argv[i + 1];
    if (key == "--config") config_path = v;
    else if (key == "--mode") modes = v;
    else if (key == "--threads") threads = std::atoi(v);
    else if (key == "--iters") iters = std::atoi(v);
    else if (key == "--warmup") warmup = std::atoi(v);
    else if (key == "--batch") batch = std::atoll(v);
    else if (key == "--seq") seq = std::atoll(v);
    else if (key == "--prompt") prompt = std::atoll(v);
    else if (key == "--new-tokens") new_tokens = std::atoll(v);
    else if (key == "--decode-batch") decode_batch = std::atoll(v);
    else if (key == "--device") device = v;
    else if (key == "--dtype") dtype = v;
    else {
      std::fprintf(stderr, "unknown option %s\n", argv[i]);
      return 2;
    }
  }
  sidr::model::set_intra_op_threads(threads);  // OpenBLAS pool too, as the CLI does
  auto config = ModelConfig::load(config_path);
  RuntimeOptions runtime{device, dtype, threads};
  runtime.validate();
  const auto on = torch::TensorOptions().dtype(torch::kInt64).device(runtime.torch_device());
  auto model = init_model(config, 0);
  model->to(runtime.torch_device(), runtime.torch_dtype());
  torch::manual_seed(0);
  // CUDA runs asynchronously: a timed step ends when the device has finished it.
  auto finish = [&] {
    if (runtime.torch_device().is_cuda()) torch::cuda::synchronize();
  };
  std::string mode;
  auto step = [&]() -> std::int64_t {  // returns tokens processed
    if (mode == "forward") {
      torch::NoGradGuard no_grad;
      model->eval();
      auto ids = torch::randint(config.vocab_size, {batch, seq}, on);
      model->forward(ids, torch::ones_like(ids));
      return batch * seq;
    }
    if (mode == "train") {
      model->train();
      auto ids = torch::randint(config.vocab_size, {batch, seq}, on);
      auto logits = model->forward(ids, torch::ones_like(ids));  // (B, T, V)
      auto loss = torch::nn::functional::cross_entropy(logits.view({-1, config.vocab_size}).to(torch::kFloat32),
                                                       ids.view({-1}));
      model->zero_grad();
      loss.backward();
      return batch * seq;
    }
    // decode: prefill `prompt` tokens, then `new_tokens` greedy steps with the cache
    torch::NoGradGuard no_grad;
    model->eval();
    const std::int64_t rows = decode_batch > 0 ? decode_batch : batch;
    auto ids = torch::randint(config.vocab_size, {rows, prompt}, on);
    KvCache cache;
    auto logits = model->forward(ids, torch::ones_like(ids), &cache);
    for (std::int64_t t = 0; t < new_tokens; ++t) {
      auto next = logits.select(1, logits.size(1) - 1).argmax(-1, true);  // (B, 1)
      logits = model->forward(next, torch::ones_like(next), &cache);
    }
    return rows * new_tokens;
  };
  // CPU time of the whole process: on a shared, oversubscribed machine it tracks the work done better than
  // wall time (both are reported).
  auto cpu_seconds = [] {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
  };
  // Several modes (--mode forward,train,decode) share one model: a large one is initialised once.
  std::stringstream mode_list(modes);
  while (std::getline(mode_list, mode, ',')) {
    if (mode != "forward" && mode != "train" && mode != "decode") {
      std::fprintf(stderr, "unknown mode %s\n", mode.c_str());
      return 2;
    }
    for (int i = 0; i < warmup; ++i) {
      step();
      finish();
    }
    double best = 1e30, best_cpu = 1e30;
    std::int64_t tokens = 0;
    for (int i = 0; i < iters; ++i) {
      auto start = std::chrono::steady_clock::now();
      double cpu_start = cpu_seconds();
      tokens = step();
      finish();
      best_cpu = std::min(best_cpu, cpu_seconds() - cpu_start);
      best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    std::printf(
        "{\"impl\": \"sidr\", \"mode\": \"%s\", \"threads\": %d, \"device\": \"%s\", \"dtype\": \"%s\", "
        "\"seconds\": %.6f, \"tokens_per_s\": %.1f, \"cpu_seconds\": %.6f, \"tokens_per_cpu_s\": %.1f}\n",
        mode.c_str(), threads, device.c_str(), dtype.c_str(), best, tokens / best, best_cpu, tokens / best_cpu);
    std::fflush(stdout);
  }
  return 0;
}
