#include "train/qwen3_lm.h"

#include "model/checkpoint.h"

namespace sidr::train {

Qwen3Lm::Qwen3Lm(model::Qwen3 model, std::function<void(const std::filesystem::path&)> save_extra)
    : model_(std::move(model)), save_extra_(std::move(save_extra)) {}

torch::Tensor Qwen3Lm::forward_hidden(const torch::Tensor& input_ids, const torch::Tensor& attention_mask) {
  auto device = model_->parameters().front().device();
  return model_->forward_hidden(input_ids.to(device), attention_mask.to(device));
}

torch::Tensor Qwen3Lm::logits(const torch::Tensor& hidden) { return model_->logits(hidden); }

void Qwen3Lm::save_pretrained(const std::filesystem::path& dir) {
  if (save_extra_) {
    std::filesystem::create_directories(dir);
    save_extra_(dir);  // save_model keeps files already in dir
  }
  model::save_model(model_, dir);
}

}  // namespace sidr::train
