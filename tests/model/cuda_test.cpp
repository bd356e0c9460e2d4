// The CUDA paths against the CPU ones, on the same weights: the forward (float32 and bfloat16), the gradients,
// the KV-cached constrained beam search (with and without a shared prompt span), the product with an item prior
// (a CPU expert beside a GPU language model), and a bfloat16 checkpoint written from the GPU and read on the CPU.
// Every test is skipped where libtorch has no usable CUDA device (CI); scripts/cuda-check.sh runs them on a GPU
// machine against a CUDA build of libtorch.
#include <memory>
#include <random>
#include <set>

#include <gtest/gtest.h>

#include "decode/beam_search.h"
#include "decode/ensemble_step_model.h"
#include "decode/item_prior_step_model.h"
#include "decode/lm_step_model.h"
#include "model/checkpoint.h"
#include "model/qwen3.h"
#include "model/runtime.h"
#include "util/error.h"
#include "model_test_util.h"
#include "sid/trie.h"

namespace sidr::model {
namespace {

#define SKIP_WITHOUT_CUDA() \
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device in this libtorch"

const torch::Device kGpu(torch::kCUDA, 0);

ModelConfig gpu_test_config() {
  ModelConfig c = testing::tiny_config();
  c.vocab_size = 64;
  c.eos_token_id = -1;
  c.initializer_range = 0.5;  // peaked, well separated log-probs: beam orders do not hinge on rounding
  return c;
}

// Two left-padded rows: the mask and the mask-derived positions are exercised too.
std::pair<torch::Tensor, torch::Tensor> padded_batch() {
  auto ids = torch::tensor({0, 0, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, torch::kInt64).view({2, 7});
  auto mask = torch::ones_like(ids);
  mask[0][0] = 0;
  mask[0][1] = 0;
  return {ids, mask};
}

double max_abs(const torch::Tensor& t) { return t.abs().max().item<double>(); }

// The same random weights twice: on the CPU in float32, and on the GPU in `dtype`.
struct TwinModels {
  Qwen3 cpu{nullptr}, gpu{nullptr};
};
TwinModels twin_models(std::uint64_t seed, torch::Dtype dtype = torch::kFloat32, bool eval = true) {
  TwinModels twins{init_model(gpu_test_config(), seed), init_model(gpu_test_config(), seed)};
  twins.gpu->to(kGpu, dtype);
  if (eval) {
    twins.cpu->eval();
    twins.gpu->eval();
  }
  return twins;
}

TEST(Cuda, DevicesBeyondTheLastGpuAreRefused) {
  SKIP_WITHOUT_CUDA();
  const auto count = torch::cuda::device_count();
  EXPECT_TRUE(RuntimeOptions{"cuda:0"}.torch_device().is_cuda());
  try {
    RuntimeOptions{"cuda:" + std::to_string(count)}.torch_device();
    FAIL() << "cuda:" << count << " accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("CUDA device(s)"), std::string::npos) << e.what();
  }
}

TEST(Cuda, Float32ForwardMatchesCpu) {
  SKIP_WITHOUT_CUDA();
  auto [cpu, gpu] = twin_models(11);
  torch::NoGradGuard no_grad;
  auto [ids, mask] = padded_batch();
  auto expected = cpu->forward(ids, mask);
  auto got = gpu->forward(ids.to(kGpu), mask.to(kGpu));
  ASSERT_TRUE(got.is_cuda());
  auto valid = mask.to(torch::kBool);  // padded positions' logits are never read
  EXPECT_LT(max_abs(got.cpu().index({valid}) - expected.index({valid})), 1e-4 * (1 + max_abs(expected)));
}

TEST(Cuda, Bfloat16ForwardStaysCloseToFloat32) {
  SKIP_WITHOUT_CUDA();
  auto [cpu, gpu] = twin_models(12, torch::kBFloat16);
  torch::NoGradGuard no_grad;
  auto [ids, mask] = padded_batch();
  auto expected = cpu->forward(ids, mask);
  auto got = gpu->forward(ids.to(kGpu), mask.to(kGpu));
  ASSERT_EQ(got.scalar_type(), torch::kBFloat16);
  auto valid = mask.to(torch::kBool);
  auto error = max_abs(got.cpu().to(torch::kFloat32).index({valid}) - expected.index({valid}));
  // bfloat16 keeps 8 bits of mantissa: a few percent of the logits' range, not more.
  EXPECT_LT(error, 0.05 * max_abs(expected));
  EXPECT_GT(error, 0.0);  // it really ran in half precision
}

TEST(Cuda, GradientsMatchCpu) {
  SKIP_WITHOUT_CUDA();
  auto [cpu, gpu] = twin_models(13, torch::kFloat32, /*eval=*/false);
  auto [ids, mask] = padded_batch();
  auto loss_of = [&](Qwen3& m, const torch::Device& device) {
    auto logits = m->forward(ids.to(device), mask.to(device));  // (B, T, V)
    // The next token at every real position (padding and each row's last position are not targets).
    auto targets = ids.roll(-1, 1).masked_fill(mask.roll(-1, 1).eq(0), -100);
    targets.select(1, targets.size(1) - 1).fill_(-100);
    return torch::nn::functional::cross_entropy(logits.view({-1, logits.size(-1)}), targets.view({-1}).to(device),
                                                torch::nn::functional::CrossEntropyFuncOptions().ignore_index(-100));
  };
  auto cpu_loss = loss_of(cpu, torch::kCPU);
  auto gpu_loss = loss_of(gpu, kGpu);
  cpu_loss.backward();
  gpu_loss.backward();
  EXPECT_NEAR(gpu_loss.item<double>(), cpu_loss.item<double>(), 1e-4);
  auto cpu_params = cpu->named_parameters();
  auto gpu_params = gpu->named_parameters();
  ASSERT_EQ(cpu_params.size(), gpu_params.size());
  for (const auto& item : cpu_params) {
    const auto& cpu_grad = item.value().grad();
    const auto& gpu_grad = gpu_params[item.key()].grad();
    ASSERT_TRUE(cpu_grad.defined() && gpu_grad.defined()) << item.key();
    ASSERT_TRUE(gpu_grad.is_cuda()) << item.key();
    EXPECT_LT(max_abs(gpu_grad.cpu() - cpu_grad), 1e-4 * (1 + max_abs(cpu_grad))) << item.key();
  }
}

constexpr decode::TokenId kNewline = 1;
constexpr decode::TokenId kEnd = 2;

std::vector<std::vector<decode::TokenId>> synthetic_sids(std::size_t count) {
  std::mt19937 rng(9);
  std::set<std::vector<decode::TokenId>> seen;
  std::vector<std::vector<decode::TokenId>> out;
  while (out.size() < count) {
    std::vector<decode::TokenId> s{static_cast<decode::TokenId>(10 + rng() % 4),
                                   static_cast<decode::TokenId>(20 + rng() % 5),
                                   static_cast<decode::TokenId>(30 + rng() % 8), kNewline, kEnd};
    if (seen.insert(s).second) out.push_back(s);
  }
  return out;
}

void expect_same_beams(const std::vector<std::vector<decode::Hypothesis>>& gpu,
                       const std::vector<std::vector<decode::Hypothesis>>& cpu) {
  ASSERT_EQ(gpu.size(), cpu.size());
  for (std::size_t p = 0; p < cpu.size(); ++p) {
    ASSERT_EQ(gpu[p].size(), cpu[p].size()) << "prompt " << p;
    for (std::size_t i = 0; i < cpu[p].size(); ++i) {
      EXPECT_EQ(gpu[p][i].tokens, cpu[p][i].tokens) << "prompt " << p << " rank " << i;
      EXPECT_NEAR(gpu[p][i].score, cpu[p][i].score, 1e-3) << "prompt " << p << " rank " << i;
    }
  }
}

// Prompts sharing a leading span (run once and broadcast) and prompts of different lengths (left padding).
const std::vector<std::vector<std::vector<decode::TokenId>>> kPromptBatches{
    {{3, 4, 5, 6, 7, 8, 40, 41}, {3, 4, 5, 6, 7, 8, 44}, {3, 4, 5, 6, 7, 8, 49, 41, 42}},
    {{9, 10, 11}, {12, 13, 14, 15, 16, 17, 18}}};

TEST(Cuda, KvCachedBeamSearchMatchesCpu) {
  SKIP_WITHOUT_CUDA();
  auto [cpu, gpu] = twin_models(14);
  auto trie = std::make_shared<sid::Trie>(sid::Trie::build(synthetic_sids(30)));
  decode::TrieConstraint constraint(trie, kEnd);
  decode::BeamSearchOptions options;
  options.beams = 10;
  options.end_tokens = {kEnd};
  decode::LmStepModel cpu_step(cpu, kEnd);
  decode::LmStepModel gpu_step(gpu, kEnd);
  for (const auto& prompts : kPromptBatches) {
    torch::NoGradGuard no_grad;
    expect_same_beams(decode::beam_search(gpu_step, prompts, &constraint, options),
                      decode::beam_search(cpu_step, prompts, &constraint, options));
  }
  ASSERT_GT(gpu_step.cache().length(), 0);
  EXPECT_TRUE(gpu_step.cache().layer_keys(0).is_cuda());
}

// evaluate --sasrec: the item prior keeps its tables on the CPU and the ensemble moves its log-probs to the
// language model's device.
TEST(Cuda, ProductWithACpuItemPriorMatchesCpu) {
  SKIP_WITHOUT_CUDA();
  auto [cpu, gpu] = twin_models(15);
  auto items = synthetic_sids(30);
  auto trie = std::make_shared<sid::Trie>(sid::Trie::build(items));
  decode::TrieConstraint constraint(trie, kEnd);
  decode::BeamSearchOptions options;
  options.beams = 10;
  options.end_tokens = {kEnd};
  const auto& prompts = kPromptBatches.front();
  auto item_log_probs = torch::randn({static_cast<std::int64_t>(prompts.size()), 30},
                                     torch::TensorOptions().dtype(torch::kFloat32).device(kGpu));
  auto ensemble_on = [&](Qwen3& m) {
    std::vector<std::unique_ptr<decode::StepModel>> members;
    members.push_back(std::make_unique<decode::LmStepModel>(m, kEnd));
    members.push_back(std::make_unique<decode::ItemPriorStepModel>(
        items, m->config().vocab_size, std::make_shared<decode::FixedItemScorer>(item_log_probs)));
    return decode::EnsembleStepModel(std::move(members), {0.8, 0.2}, decode::Mixing::Product);
  };
  torch::NoGradGuard no_grad;
  auto on_cpu = ensemble_on(cpu);
  auto on_gpu = ensemble_on(gpu);
  expect_same_beams(decode::beam_search(on_gpu, prompts, &constraint, options),
                    decode::beam_search(on_cpu, prompts, &constraint, options));
}

TEST(Cuda, Bfloat16CheckpointWrittenFromTheGpuLoadsOnTheCpu) {
  SKIP_WITHOUT_CUDA();
  testing::ScratchDir dir("cuda_checkpoint");
  auto gpu = init_model(gpu_test_config(), 16);
  gpu->to(kGpu, torch::kBFloat16);
  save_model(gpu, dir.path());
  auto back = load_model(dir.path(), torch::kCPU, torch::kBFloat16);
  auto saved = gpu->named_parameters();
  for (const auto& item : back->named_parameters()) {
    ASSERT_TRUE(saved.contains(item.key())) << item.key();
    EXPECT_TRUE(item.value().is_cpu());
    EXPECT_TRUE(torch::equal(item.value(), saved[item.key()].cpu())) << item.key();
  }
  // And straight back onto the GPU.
  auto again = load_model(dir.path(), kGpu, torch::kBFloat16);
  EXPECT_TRUE(again->device().is_cuda());
}

}  // namespace
}  // namespace sidr::model
