// Per-layer key/value cache for incremental decoding of a batch (rows can be reordered for beam search).
#pragma once
#include <vector>

#include <torch/torch.h>

namespace sidr::model {

struct KvCache {
  std::vector<torch::Tensor> keys;    // per layer: (B, kv_heads, T, head_dim)
  std::vector<torch::Tensor> values;  // per layer: (B, kv_heads, T, head_dim)
  torch::Tensor attention_mask;       // (B, T) 1 for real tokens, 0 for padding (left padding)

  std::int64_t length() const { return attention_mask.defined() ? attention_mask.size(1) : 0; }
  std::int64_t batch_size() const { return attention_mask.defined() ? attention_mask.size(0) : 0; }
  // Keeps/duplicates rows: new row i = old row rows[i]. rows: (B') int64. Beam reorder and dropping rows.
  void select_rows(const torch::Tensor& rows);
  void clear();
};

}  // namespace sidr::model
