#include "eval/recommender.h"

#include <filesystem>

#include <fmt/format.h>

#include "decode/ensemble_step_model.h"
#include "decode/item_prior_step_model.h"
#include "decode/lm_step_model.h"
#include "decode/sid_search.h"
#include "eval/history_item_scorer.h"
#include "model/checkpoint.h"
#include "util/error.h"
#include "util/file_io.h"

namespace sidr::eval {

std::vector<std::vector<decode::TokenId>> item_token_paths(const data::Catalog& catalog,
                                                           const text::Tokenizer& tokenizer,
                                                           decode::TokenId end_token) {
  std::vector<std::vector<decode::TokenId>> paths;
  for (const auto& item : catalog.items())
    paths.push_back(item.sid.empty() ? std::vector<decode::TokenId>{end_token}
                                     : decode::reference_sid_path(item.sid, tokenizer, end_token));
  return paths;
}

namespace {

// The model, or the ensemble of it and the ensemble members (same tokenizer, same vocabulary), as one.
std::unique_ptr<decode::StepModel> language_models(const RecommenderOptions& o, const text::Tokenizer& tokenizer,
                                                   decode::TokenId end_token) {
  std::vector<std::unique_ptr<decode::StepModel>> members;
  const std::string tokenizer_text = read_file(std::filesystem::path(o.model_dir) / "tokenizer.json");
  std::vector<std::string> dirs = {o.model_dir};
  dirs.insert(dirs.end(), o.ensemble.begin(), o.ensemble.end());
  for (const auto& dir : dirs) {
    if (dir != o.model_dir && read_file(std::filesystem::path(dir) / "tokenizer.json") != tokenizer_text)
      throw InputError(fmt::format("{}/tokenizer.json differs from {}/tokenizer.json: ensemble members must share one "
                                   "tokenizer",
                                   dir, o.model_dir));
    auto model = model::load_model(dir, o.runtime.torch_device(), o.runtime.torch_dtype());
    if (model->config().vocab_size < static_cast<std::int64_t>(tokenizer.size()))
      throw InputError(dir + ": the model's vocabulary (" + std::to_string(model->config().vocab_size) +
                       ") is smaller than the tokenizer's (" + std::to_string(tokenizer.size()) + ")");
    if (!members.empty() && model->config().vocab_size != members.front()->vocab_size())
      throw InputError(fmt::format("{}: vocabulary {} differs from {}'s {}: ensemble members must share one", dir,
                                   model->config().vocab_size, o.model_dir, members.front()->vocab_size()));
    members.push_back(std::make_unique<decode::LmStepModel>(model, end_token));  // pad = eos, as the reference pads
  }
  return std::make_unique<decode::EnsembleStepModel>(std::move(members), std::vector<double>{},
                                                     decode::parse_mixing(o.ensemble_mix));
}

}  // namespace

Recommender::Recommender(const RecommenderOptions& options, const data::Catalog& catalog,
                         const text::Tokenizer& tokenizer, decode::TokenId end_token) {
  // SASRec runs first: a bad run fails before the language models are loaded.
  std::vector<baseline::SasrecScorer> runs;
  if (!options.sasrec_dir.empty()) {
    std::vector<std::string> dirs = {options.sasrec_dir};
    dirs.insert(dirs.end(), options.sasrec_ensemble.begin(), options.sasrec_ensemble.end());
    for (const auto& dir : dirs) {
      runs.push_back(baseline::SasrecScorer::load(dir));
      if (runs.back().num_items() != static_cast<std::int64_t>(catalog.items().size()))
        throw InputError(fmt::format("{}: SASRec was trained on {} items, the catalog has {}", dir,
                                     runs.back().num_items(), catalog.items().size()));
    }
  }
  model_ = language_models(options, tokenizer, end_token);
  if (runs.empty()) return;
  // SASRec's item distribution is a second expert beside the language model(s): weight fusion.weight,
  // combined by fusion.mix.
  item_scorer_ = std::make_shared<HistoryItemScorer>(std::move(runs), options.fusion.temperature,
                                                     options.sid_search_marker);
  std::vector<std::unique_ptr<decode::StepModel>> experts;
  const std::int64_t vocab = model_->vocab_size();
  experts.push_back(std::move(model_));
  experts.push_back(std::make_unique<decode::ItemPriorStepModel>(item_token_paths(catalog, tokenizer, end_token),
                                                                 vocab, item_scorer_));
  model_ = std::make_unique<decode::EnsembleStepModel>(
      std::move(experts), std::vector<double>{1.0 - options.fusion.weight, options.fusion.weight},
      decode::parse_mixing(options.fusion.mix));
}

Recommender::~Recommender() = default;
Recommender::Recommender(Recommender&&) noexcept = default;

void Recommender::add_context(const std::vector<decode::TokenId>& prompt, const std::vector<std::int64_t>& history) {
  if (item_scorer_) item_scorer_->add_context(prompt, history);
}

void Recommender::clear_contexts() {
  if (item_scorer_) item_scorer_->clear_contexts();
}

}  // namespace sidr::eval
