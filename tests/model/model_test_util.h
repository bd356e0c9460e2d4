// Shared helpers for the model tests: a tiny config and a scratch directory.
#pragma once
#include <filesystem>
#include <string>

#include <unistd.h>

#include "model/config.h"

namespace sidr::model::testing {

inline ModelConfig tiny_config(const std::string& type = "qwen3", bool tied = true) {
  ModelConfig c;
  c.model_type = type;
  c.vocab_size = 50;
  c.hidden_size = 32;
  c.intermediate_size = 48;
  c.num_hidden_layers = 2;
  c.num_attention_heads = 4;
  c.num_key_value_heads = 2;
  c.head_dim = 12;
  c.rope_theta = 10000;
  c.initializer_range = 0.2;
  c.tie_word_embeddings = tied;
  c.attention_bias = type == "qwen2";
  c.eos_token_id = 3;
  return c;
}

// A fresh directory under the build tree, removed at the end of the test.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& name) {
    path_ = std::filesystem::path(SIDR_BINARY_DIR) / "test_scratch" / (name + "." + std::to_string(::getpid()));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace sidr::model::testing
