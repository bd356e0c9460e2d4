// A small causal LM for trainer tests: positions come from the attention mask and every position sees only its
// prefix, so results do not depend on left padding (as with the real model).
#pragma once
#include <filesystem>

#include <torch/torch.h>

#include "train/causal_lm.h"

namespace sidr::train::testing {

struct TinyLmImpl : torch::nn::Module {
  TinyLmImpl(std::int64_t vocab, std::int64_t dim, std::int64_t max_positions = 64) {
    embed = register_module("embed", torch::nn::Embedding(vocab, dim));
    position = register_module("position", torch::nn::Embedding(max_positions, dim));
    mix = register_module("mix", torch::nn::Linear(dim, dim));
    head = register_module("head", torch::nn::Linear(dim, vocab));
  }
  torch::nn::Embedding embed{nullptr}, position{nullptr};
  torch::nn::Linear mix{nullptr}, head{nullptr};
};
TORCH_MODULE(TinyLm);

class TinyCausalLm : public CausalLm {
 public:
  explicit TinyCausalLm(std::uint64_t seed, std::int64_t vocab = 32, std::int64_t dim = 16) {
    torch::manual_seed(seed);
    net_ = TinyLm(vocab, dim);
  }
  torch::Tensor forward_hidden(const torch::Tensor& input_ids, const torch::Tensor& attention_mask) override {
    auto mask = attention_mask.to(torch::kFloat32).unsqueeze(-1);                // (B, T, 1)
    auto tokens = net_->embed(input_ids) * mask;                                 // (B, T, D)
    auto counts = attention_mask.cumsum(1);                                      // (B, T)
    auto positions = (counts - 1).clamp_min(0);                                  // (B, T)
    auto prefix_mean = tokens.cumsum(1) / counts.to(torch::kFloat32).clamp_min(1).unsqueeze(-1);
    return torch::tanh(net_->mix(prefix_mean + net_->position(positions)));      // (B, T, D)
  }
  torch::Tensor logits(const torch::Tensor& hidden) override { return net_->head(hidden); }
  torch::nn::Module& module() override { return *net_; }
  void save_pretrained(const std::filesystem::path& dir) override {
    torch::serialize::OutputArchive archive;
    net_->save(archive);
    archive.save_to((dir / "tiny.pt").string());
  }
  TinyLm& net() { return net_; }

 private:
  TinyLm net_{nullptr};
};

}  // namespace sidr::train::testing
