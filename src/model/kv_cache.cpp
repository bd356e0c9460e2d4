#include "model/kv_cache.h"

namespace sidr::model {

void KvCache::select_rows(const torch::Tensor& rows) {
  if (!attention_mask.defined()) return;
  auto index = rows.to(attention_mask.device(), torch::kInt64);  // (B')
  for (auto& k : keys)
    if (k.defined()) k = k.index_select(0, index.to(k.device()));
  for (auto& v : values)
    if (v.defined()) v = v.index_select(0, index.to(v.device()));
  attention_mask = attention_mask.index_select(0, index);
}

void KvCache::clear() {
  keys.clear();
  values.clear();
  attention_mask = torch::Tensor();
}

}  // namespace sidr::model
