// Per-layer key/value cache for incremental decoding of a batch (rows can be reordered for beam search).
//
// Each layer's keys and values live in a buffer with spare room along the time axis, so appending a step writes
// in place instead of concatenating the whole history (which made a T-token generation copy O(T^2)).
#pragma once
#include <vector>

#include <torch/torch.h>

namespace sidr::model {

struct KvCache {
  std::vector<torch::Tensor> keys;    // per layer: (B, kv_heads, capacity >= length(), head_dim)
  std::vector<torch::Tensor> values;  // per layer: (B, kv_heads, capacity >= length(), head_dim)
  torch::Tensor attention_mask;       // (B, T) 1 for real tokens, 0 for padding (left padding)

  std::int64_t length() const { return attention_mask.defined() ? attention_mask.size(1) : 0; }
  std::int64_t batch_size() const { return attention_mask.defined() ? attention_mask.size(0) : 0; }
  // The cached keys / values of a layer: (B, kv_heads, length(), head_dim) views.
  torch::Tensor layer_keys(std::size_t layer) const { return keys[layer].narrow(2, 0, length()); }
  torch::Tensor layer_values(std::size_t layer) const { return values[layer].narrow(2, 0, length()); }
  // Keeps/duplicates rows: new row i = old row rows[i]. rows: (B') int64. Beam reorder and dropping rows.
  void select_rows(const torch::Tensor& rows);
  void clear();
};

// One cache of rows taken from several: new row i = row rows[i] of *caches[i], right-aligned on the longest
// (left padding: zero keys/values, mask 0), with its last forget[i] positions masked out (forgotten).
KvCache gather_cache_rows(const std::vector<const KvCache*>& caches, const std::vector<std::int64_t>& rows,
                          const std::vector<std::int64_t>& forget);

// Writes x (B, KV, T, D) at time steps [past, past + T) of buffer, first replacing the buffer by a larger one
// when it is too short (or a broadcast view); returns the valid span (B, KV, past + T, D) as a view.
torch::Tensor append_to_cache(torch::Tensor& buffer, const torch::Tensor& x, std::int64_t past);

}  // namespace sidr::model
