// Model hyper-parameters, read from / written to Hugging Face config.json (qwen3, qwen2, llama).
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>

#include "util/json.h"

namespace sidr::model {

struct ModelConfig {
  std::string model_type = "qwen3";  // qwen3 | qwen2 | llama
  std::int64_t vocab_size = 0;
  std::int64_t hidden_size = 0;
  std::int64_t intermediate_size = 0;
  std::int64_t num_hidden_layers = 0;
  std::int64_t num_attention_heads = 0;
  std::int64_t num_key_value_heads = 0;
  std::int64_t head_dim = 0;  // not always hidden_size / num_attention_heads (Qwen3-0.6B: 1024/16 but 128)
  double rms_norm_eps = 1e-6;
  double rope_theta = 1e6;
  double initializer_range = 0.02;
  std::int64_t max_position_embeddings = 40960;
  bool tie_word_embeddings = true;
  bool attention_bias = false;  // qwen2: true (q/k/v biases)
  std::string torch_dtype = "float32";
  std::int64_t bos_token_id = -1;  // -1: absent
  std::int64_t eos_token_id = -1;
  std::int64_t pad_token_id = -1;
  double dropout = 0.0;  // ours, not in HF Qwen3: residual dropout for small models trained from scratch

  static ModelConfig from_json(const Json& json, const std::string& source);
  Json to_json() const;
  static ModelConfig load(const std::filesystem::path& config_json);
  void save(const std::filesystem::path& config_json) const;
  // Throws InputError with a full sentence on inconsistent values.
  void validate() const;
  // Parameters without the embedding matrix (and without an untied head).
  std::int64_t non_embedding_parameters() const;
};

}  // namespace sidr::model
