// What the trainer needs from a language model: hidden states, the output projection, its parameters and a way
// to save itself in Hugging Face layout. model::Qwen3 is adapted in qwen3_lm.h; tests use small stand-ins.
#pragma once
#include <filesystem>

#include <torch/torch.h>

namespace sidr::train {

class CausalLm {
 public:
  virtual ~CausalLm() = default;
  // input_ids, attention_mask: (B, T) int64, left padding -> final hidden states (B, T, hidden).
  virtual torch::Tensor forward_hidden(const torch::Tensor& input_ids, const torch::Tensor& attention_mask) = 0;
  // (N, hidden) -> (N, vocab).
  virtual torch::Tensor logits(const torch::Tensor& hidden) = 0;
  // The module whose parameters are trained and checkpointed (state-dict names are the checkpoint keys).
  virtual torch::nn::Module& module() = 0;
  // Writes a directory a user can load (HF layout: config, weights, tokenizer).
  virtual void save_pretrained(const std::filesystem::path& dir) = 0;
};

}  // namespace sidr::train
