#include "embed/encoder_pool.h"

#include <algorithm>
#include <string>

#include <torch/torch.h>

#include "model/checkpoint.h"
#include "text/tokenizer.h"
#include "util/error.h"

namespace sidr::embed {

DenseMatrix encoder_mean_pool(const std::vector<std::string>& texts, const EncoderOptions& options) {
  if (options.max_length == 0) throw InputError("--max-length: must be at least 1");
  if (options.batch_size == 0) throw InputError("--batch-size: must be at least 1");
  options.runtime.validate();
  options.runtime.apply();
  const auto tokenizer_file = options.model_dir / "tokenizer.json";
  if (!std::filesystem::exists(tokenizer_file)) throw InputError(tokenizer_file.string() + ": not found");
  const text::Tokenizer tokenizer = text::Tokenizer::from_file(tokenizer_file);
  const torch::Device device = options.runtime.torch_device();
  model::Qwen3 lm = model::load_model(options.model_dir, device, options.runtime.torch_dtype());
  lm->eval();
  torch::NoGradGuard no_grad;

  DenseMatrix out;
  out.rows = texts.size();
  out.cols = static_cast<std::size_t>(lm->config().hidden_size);
  out.values.resize(out.rows * out.cols);
  // Pad id: any valid id works (masked out of attention and pooling); the reference uses eos.
  for (std::size_t start = 0; start < texts.size(); start += options.batch_size) {
    const std::size_t end = std::min(texts.size(), start + options.batch_size);
    std::vector<std::vector<text::TokenId>> ids;
    std::size_t longest = 1;
    for (std::size_t i = start; i < end; ++i) {
      auto row = tokenizer.encode(texts[i], /*parse_special=*/true);  // added tokens matched, as HF does
      if (row.size() > options.max_length) row.resize(options.max_length);
      longest = std::max(longest, row.size());
      ids.push_back(std::move(row));
    }
    const auto b = static_cast<std::int64_t>(ids.size());
    const auto t = static_cast<std::int64_t>(longest);
    auto input = torch::zeros({b, t}, torch::kInt64);
    auto mask = torch::zeros({b, t}, torch::kInt64);
    auto in = input.accessor<std::int64_t, 2>();
    auto m = mask.accessor<std::int64_t, 2>();
    for (std::int64_t r = 0; r < b; ++r)
      for (std::size_t k = 0; k < ids[r].size(); ++k) {  // right padding
        in[r][static_cast<std::int64_t>(k)] = ids[r][k];
        m[r][static_cast<std::int64_t>(k)] = 1;
      }
    auto hidden = lm->forward_hidden(input.to(device), mask.to(device)).to(torch::kFloat32);
    auto weights = mask.to(device).to(torch::kFloat32).unsqueeze(-1);  // (B, T, 1)
    auto pooled = (hidden * weights).sum(1) / weights.sum(1).clamp_min(1e-9);
    pooled = pooled.to(torch::kCPU).contiguous();
    if (!torch::isfinite(pooled).all().item<bool>())
      throw InputError(options.model_dir.string() + ": non-finite hidden states for items " + std::to_string(start) +
                       ".." + std::to_string(end - 1));
    std::copy(pooled.data_ptr<float>(), pooled.data_ptr<float>() + pooled.numel(),
              out.values.begin() + static_cast<std::ptrdiff_t>(start * out.cols));
  }
  return out;
}

}  // namespace sidr::embed
