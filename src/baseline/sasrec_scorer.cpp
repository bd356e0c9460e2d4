#include "baseline/sasrec_scorer.h"

#include <string>

#include "util/error.h"
#include "util/json.h"

namespace sidr::baseline {

SasrecScorer SasrecScorer::load(const std::filesystem::path& run_dir) {
  const auto config_file = run_dir / "config.json";
  const auto weights_file = run_dir / "model.pt";
  if (!std::filesystem::exists(config_file))
    throw InputError(config_file.string() + ": not found (a `sidreasoner baseline sasrec` run directory?)");
  if (!std::filesystem::exists(weights_file)) throw InputError(weights_file.string() + ": not found");
  Json json = read_json_file(config_file);
  SasrecConfig config;
  try {
    config.num_items = json.at("num_items").get<std::int64_t>();
    config.hidden = json.at("hidden").get<std::int64_t>();
    config.heads = json.at("heads").get<std::int64_t>();
    config.max_len = json.at("max_len").get<std::int64_t>();
    config.dropout = json.at("dropout").get<double>();
  } catch (const Json::exception& e) {
    throw InputError(config_file.string() + ": field num_items/hidden/heads/max_len/dropout: " + e.what());
  }
  config.validate();
  Sasrec model(config);
  try {
    torch::load(model, weights_file.string());
  } catch (const c10::Error& e) {
    throw InputError(weights_file.string() + ": cannot load SASRec weights for " + config_file.string() + " (" +
                     std::string(e.what_without_backtrace()).substr(0, 200) + ")");
  }
  model->eval();
  return SasrecScorer(model);
}

torch::Tensor SasrecScorer::log_probs(const std::vector<std::vector<std::int64_t>>& histories) {
  const auto& config = model_->config();
  const auto n = static_cast<std::int64_t>(histories.size());
  auto states = torch::full({n, config.max_len}, config.num_items, torch::kInt64);  // right-padded with N
  auto lengths = torch::empty({n}, torch::kInt64);
  auto s = states.accessor<std::int64_t, 2>();
  for (std::int64_t r = 0; r < n; ++r) {
    const auto& h = histories[static_cast<std::size_t>(r)];
    if (h.empty()) throw InputError("SASRec: history " + std::to_string(r) + " is empty");
    const auto keep = std::min<std::int64_t>(static_cast<std::int64_t>(h.size()), config.max_len);
    for (std::int64_t j = 0; j < keep; ++j) {
      const auto item = h[h.size() - static_cast<std::size_t>(keep) + static_cast<std::size_t>(j)];
      if (item < 0 || item >= config.num_items)
        throw InputError("SASRec: item id " + std::to_string(item) + " is outside the model's catalog (0.." +
                         std::to_string(config.num_items - 1) + ")");
      s[r][j] = item;
    }
    lengths[r] = keep;
  }
  torch::NoGradGuard no_grad;
  return torch::log_softmax(model_->forward(states, lengths).to(torch::kFloat32), -1);
}

}  // namespace sidr::baseline
