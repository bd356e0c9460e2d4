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
