// model::Qwen3 as a trainable CausalLm; save_pretrained writes the HF checkpoint and the tokenizer files.
#pragma once
#include <filesystem>
#include <functional>

#include "model/qwen3.h"
#include "train/causal_lm.h"

namespace sidr::train {

class Qwen3Lm : public CausalLm {
 public:
  // save_extra writes what belongs next to the weights (the tokenizer); may be empty.
  Qwen3Lm(model::Qwen3 model, std::function<void(const std::filesystem::path&)> save_extra);

  torch::Tensor forward_hidden(const torch::Tensor& input_ids, const torch::Tensor& attention_mask) override;
  torch::Tensor logits(const torch::Tensor& hidden) override;
  torch::nn::Module& module() override { return *model_; }
  void save_pretrained(const std::filesystem::path& dir) override;
  model::Qwen3& model() { return model_; }

 private:
  model::Qwen3 model_;
  std::function<void(const std::filesystem::path&)> save_extra_;
};

}  // namespace sidr::train
