// Item embeddings from any HF-layout checkpoint directory (Qwen3 / Qwen2 / Llama weights, tokenizer.json): the
// reference's rq/text2emb encoding (minionerec.md §4): each item text tokenised (no special tokens added),
// truncated to max_length, batches right-padded, the model's last hidden states (after the final norm) mean-pooled
// over the real tokens in float32 (sum / max(count, 1e-9)), no L2 normalisation. Row i = item i.
#pragma once
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "embed/sasrec_table.h"
#include "model/runtime.h"

namespace sidr::embed {

struct EncoderOptions {
  std::filesystem::path model_dir;  // config.json, model.safetensors, tokenizer.json
  std::size_t max_length = 2048;
  std::size_t batch_size = 16;
  model::RuntimeOptions runtime;
};

// InputError naming the file when the checkpoint or its tokenizer is missing or broken, or an output is non-finite.
DenseMatrix encoder_mean_pool(const std::vector<std::string>& texts, const EncoderOptions& options);

}  // namespace sidr::embed
