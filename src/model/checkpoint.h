// Checkpoint directories in Hugging Face layout: config.json, model.safetensors (or sharded with
// model.safetensors.index.json), generation_config.json, tokenizer files.
#pragma once
#include <filesystem>

#include <torch/torch.h>

#include "model/config.h"
#include "model/qwen3.h"

namespace sidr::model {

// Loads config.json and weights; strict by name (missing, unexpected or mis-shaped tensor: InputError naming it).
Qwen3 load_model(const std::filesystem::path& dir, torch::Device device = torch::kCPU,
                 torch::Dtype dtype = torch::kFloat32);
// Writes config.json, model.safetensors (tied weight written once), generation_config.json, atomically.
// Tokenizer files are written by the caller (text::Tokenizer::save) into the same dir before/after.
void save_model(Qwen3& model, const std::filesystem::path& dir);

// A fresh model with HF's random initialisation (normal, std = initializer_range; norms = 1).
Qwen3 init_model(const ModelConfig& config, std::uint64_t seed);

// HF resize_token_embeddings: rows kept, new rows = mean of the old rows, tied head follows.
void resize_token_embeddings(Qwen3& model, std::int64_t new_vocab_size);

}  // namespace sidr::model
