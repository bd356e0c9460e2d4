#include "model/kv_cache.h"

#include <algorithm>

namespace sidr::model {

void KvCache::select_rows(const torch::Tensor& rows) {
  if (!attention_mask.defined()) return;
  auto index = rows.to(attention_mask.device(), torch::kInt64);  // (B')
  const auto valid = length();
  // Only the valid span is gathered; the copy keeps the buffer's spare room for the next steps.
  auto gather = [&](torch::Tensor& buffer) {
    if (!buffer.defined()) return;
    auto out = torch::empty({index.size(0), buffer.size(1), buffer.size(2), buffer.size(3)}, buffer.options());
    auto span = out.narrow(2, 0, valid);
    torch::index_select_out(span, buffer.narrow(2, 0, valid), 0, index.to(buffer.device()));
    buffer = out;
  };
  for (auto& k : keys) gather(k);
  for (auto& v : values) gather(v);
  attention_mask = attention_mask.index_select(0, index);
}

void KvCache::clear() {
  keys.clear();
  values.clear();
  attention_mask = torch::Tensor();
}

KvCache gather_cache_rows(const std::vector<const KvCache*>& caches, const std::vector<std::int64_t>& rows,
                          const std::vector<std::int64_t>& forget) {
  KvCache out;
  if (caches.empty()) return out;
  const auto n = static_cast<std::int64_t>(caches.size());
  std::int64_t longest = 0;
  for (const auto* c : caches) longest = std::max(longest, c->length());
  const auto& first = *caches.front();
  out.attention_mask = torch::zeros({n, longest}, first.attention_mask.options());  // (R, L)
  auto make = [&](const torch::Tensor& like) {
    return torch::zeros({n, like.size(1), longest, like.size(3)}, like.options());  // (R, KV, L, D)
  };
  for (std::size_t layer = 0; layer < first.keys.size(); ++layer) {
    out.keys.push_back(make(first.keys[layer]));
    out.values.push_back(make(first.values[layer]));
  }
  for (std::int64_t i = 0; i < n; ++i) {
    const KvCache& c = *caches[static_cast<std::size_t>(i)];
    const std::int64_t row = rows[static_cast<std::size_t>(i)];
    const std::int64_t len = c.length();
    const std::int64_t offset = longest - len;
    for (std::size_t layer = 0; layer < c.keys.size(); ++layer) {
      out.keys[layer][i].narrow(1, offset, len).copy_(c.layer_keys(layer)[row]);
      out.values[layer][i].narrow(1, offset, len).copy_(c.layer_values(layer)[row]);
    }
    auto mask = out.attention_mask[i];
    mask.narrow(0, offset, len).copy_(c.attention_mask[row]);
    const std::int64_t hidden = forget[static_cast<std::size_t>(i)];
    if (hidden > 0) mask.narrow(0, longest - hidden, hidden).fill_(0);
  }
  return out;
}

torch::Tensor append_to_cache(torch::Tensor& buffer, const torch::Tensor& x, std::int64_t past) {
  const auto rows = x.size(0), heads = x.size(1), steps = x.size(2), dim = x.size(3);
  const auto needed = past + steps;
  const bool owned = buffer.defined() && buffer.stride(0) != 0 && buffer.size(0) == rows;
  if (!owned || buffer.size(2) < needed) {
    // A prompt leaves room for a few decoding steps (a SID is 3-5 tokens); a growing generation gets half again.
    const auto capacity = past == 0 ? needed + 16 : needed + std::max<std::int64_t>(16, needed / 2);
    auto grown = torch::empty({rows, heads, capacity, dim}, x.options());
    if (past > 0) grown.narrow(2, 0, past).copy_(buffer.narrow(2, 0, past));
    buffer = grown;
  }
  buffer.narrow(2, past, steps).copy_(x);
  return buffer.narrow(2, 0, needed);
}

}  // namespace sidr::model
