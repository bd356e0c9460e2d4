#include "embed/sasrec_table.h"

#include <string>

#include <torch/torch.h>

#include "baseline/sasrec_scorer.h"
#include "util/error.h"

namespace sidr::embed {

DenseMatrix sasrec_item_embeddings(const std::filesystem::path& run_dir) {
  auto scorer = baseline::SasrecScorer::load(run_dir);
  torch::Tensor table;
  for (const auto& item : scorer.model()->named_parameters())
    if (item.key() == "item_embeddings.weight") table = item.value();
  const auto n = scorer.num_items();
  const std::string weights = (run_dir / "model.pt").string();
  if (!table.defined() || table.dim() != 2 || table.size(0) != n + 1)
    throw InputError(weights + ": no item_embeddings.weight of " + std::to_string(n + 1) + " rows");
  torch::NoGradGuard no_grad;
  auto rows = table.narrow(0, 0, n).to(torch::kCPU, torch::kFloat32).contiguous();  // row N is the padding id
  if (!torch::isfinite(rows).all().item<bool>())
    throw InputError(weights + ": item_embeddings.weight holds NaN or infinite values");
  DenseMatrix out;
  out.rows = static_cast<std::size_t>(n);
  out.cols = static_cast<std::size_t>(rows.size(1));
  out.values.assign(rows.data_ptr<float>(), rows.data_ptr<float>() + rows.numel());
  return out;
}

}  // namespace sidr::embed
