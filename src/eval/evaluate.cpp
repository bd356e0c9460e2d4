#include "eval/evaluate.h"

#include <malloc.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "baseline/sasrec_scorer.h"
#include "baseline/sequence_data.h"
#include "data/catalog.h"
#include "data/dataset.h"
#include "data/interactions.h"
#include "decode/ensemble_step_model.h"
#include "decode/item_prior_step_model.h"
#include "decode/lm_step_model.h"
#include "decode/sid_search.h"
#include "model/checkpoint.h"
#include "tasks/encode.h"
#include "tasks/eval_prompts.h"
#include "text/tokenizer.h"
#include "util/error.h"
#include "util/file_io.h"
#include "util/progress.h"

namespace sidr::eval {

void EvaluateOptions::validate() const {
  if (model_dir.empty()) throw InputError("--model is required");
  if (data_root.empty() || dataset.empty()) throw InputError("--data and --dataset are required");
  if (out_dir.empty()) throw InputError("--out is required");
  data::parse_split(split);
  tasks::parse_eval_mode(mode);
  tasks::parse_eval_prompt_style(prompt_style == "train" ? "training" : prompt_style);
  tasks::parse_prompt_style(style);
  if (beams < 1) throw InputError("beam size must be at least 1, got " + std::to_string(beams));
  if (batch_size < 1) throw InputError("batch size must be at least 1, got " + std::to_string(batch_size));
  if (think_tokens < 1) throw InputError("think tokens must be at least 1, got " + std::to_string(think_tokens));
  try {
    decode::parse_mixing(ensemble_mix);
  } catch (const std::invalid_argument& e) {
    throw InputError(std::string("--ensemble-mix ") + e.what());
  }
  if (sasrec_dir.empty() && !sasrec_ensemble.empty())
    throw InputError("--sasrec-ensemble adds runs to --sasrec: give --sasrec first");
  if (!sasrec_dir.empty()) {
    if (!(sasrec_weight > 0 && sasrec_weight < 1))
      throw InputError("--sasrec-weight must be between 0 and 1 (exclusive), got " + std::to_string(sasrec_weight));
    try {
      decode::parse_mixing(sasrec_mix);
    } catch (const std::invalid_argument& e) {
      throw InputError(std::string("--sasrec-mix ") + e.what());
    }
    if (!(sasrec_temperature > 0) || !std::isfinite(sasrec_temperature))
      throw InputError("--sasrec-temperature must be a positive number, got " + std::to_string(sasrec_temperature));
    if (tasks::parse_eval_mode(mode) != tasks::EvalMode::Plain)
      throw InputError("--sasrec mixes SASRec into the SID search right after the prompt: plain mode only");
  }
  runtime.validate();
}

double peak_memory_mib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return 0.0;
}

namespace {

decode::BeamSearchOptions beam_options(const EvaluateOptions& o, decode::TokenId end_token) {
  decode::BeamSearchOptions b;
  b.beams = o.beams;
  b.return_sequences = o.beams;
  b.max_new_tokens = 256;  // the reference's max_new_tokens (the trie ends after 5)
  b.end_tokens = {end_token};
  b.length_penalty = 0.0;
  b.early_stopping = true;
  b.sample = o.beam_sampling;
  b.sampling.temperature = o.temperature;
  b.sampling.top_k = o.top_k;
  b.sampling.top_p = o.top_p;
  b.seed = o.seed;
  return b;
}

Json predict_list(const std::vector<decode::SidPrediction>& predictions) {
  Json list = Json::array();
  for (const auto& p : predictions) list.push_back(p.sid);
  return list;
}

Json score_list(const std::vector<decode::SidPrediction>& predictions) {
  Json list = Json::array();
  for (const auto& p : predictions) list.push_back(p.score);
  return list;
}

// Each catalog item's token path in the reference trie (SID level tokens, "\n", end), by item id (= position).
// An item without a SID gets the path {end}: the constraint never allows it, so its probability is lost.
std::vector<std::vector<decode::TokenId>> item_token_paths(const data::Catalog& catalog,
                                                           const text::Tokenizer& tokenizer,
                                                           decode::TokenId end_token) {
  std::vector<std::vector<decode::TokenId>> paths;
  for (const auto& item : catalog.items())
    paths.push_back(item.sid.empty() ? std::vector<decode::TokenId>{end_token}
                                     : decode::reference_sid_path(item.sid, tokenizer, end_token));
  return paths;
}

}  // namespace

EvaluateResult run_evaluation(const EvaluateOptions& options) {
  options.validate();
  options.runtime.apply();
  const auto mode = tasks::parse_eval_mode(options.mode);
  const auto split = data::parse_split(options.split);

  // Inputs first: every bad file fails before the model is loaded and before anything is written.
  data::DatasetPaths paths{options.data_root, options.dataset};
  auto catalog = data::Catalog::load(paths);
  auto interactions = data::Interactions::load(paths.interactions(split));
  if (options.limit > 0 && interactions.rows.size() > options.limit) interactions.rows.resize(options.limit);
  auto tokenizer = text::Tokenizer::from_file(std::filesystem::path(options.model_dir) / "tokenizer.json");
  const decode::TokenId end_token = tokenizer.require_id("<|im_end|>");
  auto trie = decode::build_reference_trie(catalog.distinct_sids(), tokenizer, end_token);

  tasks::EvalPromptOptions prompt_options;
  prompt_options.mode = mode;
  prompt_options.style = tasks::parse_prompt_style(options.style);
  prompt_options.eval_style =
      tasks::parse_eval_prompt_style(options.prompt_style == "train" ? "training" : options.prompt_style);
  auto prompts = tasks::build_eval_prompts(interactions, prompt_options);
  tasks::SampleEncoder encoder(tokenizer);

  // The model, or the ensemble of it and the --ensemble members (same tokenizer, same vocabulary).
  std::vector<std::unique_ptr<decode::StepModel>> members;
  const std::string tokenizer_text = read_file(std::filesystem::path(options.model_dir) / "tokenizer.json");
  std::vector<std::string> member_dirs = {options.model_dir};
  member_dirs.insert(member_dirs.end(), options.ensemble.begin(), options.ensemble.end());
  for (const auto& dir : member_dirs) {
    if (dir != options.model_dir && read_file(std::filesystem::path(dir) / "tokenizer.json") != tokenizer_text)
      throw InputError(fmt::format("{}/tokenizer.json differs from {}/tokenizer.json: ensemble members must share one "
                                   "tokenizer",
                                   dir, options.model_dir));
    auto model = model::load_model(dir, options.runtime.torch_device(), options.runtime.torch_dtype());
    if (model->config().vocab_size < static_cast<std::int64_t>(tokenizer.size()))
      throw InputError(dir + ": the model's vocabulary (" + std::to_string(model->config().vocab_size) +
                       ") is smaller than the tokenizer's (" + std::to_string(tokenizer.size()) + ")");
    if (!members.empty() && model->config().vocab_size != members.front()->vocab_size())
      throw InputError(fmt::format("{}: vocabulary {} differs from {}'s {}: ensemble members must share one", dir,
                                   model->config().vocab_size, options.model_dir, members.front()->vocab_size()));
    members.push_back(std::make_unique<decode::LmStepModel>(model, end_token));  // pad = eos, as the reference pads
  }
  // The language models decode as one (equal weights, combined by --ensemble-mix). With --sasrec, SASRec's item
  // distribution is a second expert beside them: weight sasrec_weight, combined by --sasrec-mix.
  std::unique_ptr<decode::StepModel> step_model = std::make_unique<decode::EnsembleStepModel>(
      std::move(members), std::vector<double>{}, decode::parse_mixing(options.ensemble_mix));
  // SASRec runs (--sasrec, then --sasrec-ensemble), each with its users' histories cut at its own max_len.
  std::vector<baseline::SasrecScorer> sasrecs;
  std::vector<std::vector<baseline::SequenceExample>> sasrec_rows;
  decode::ItemPriorStepModel* sasrec_member = nullptr;
  if (!options.sasrec_dir.empty()) {
    std::vector<std::string> dirs = {options.sasrec_dir};
    dirs.insert(dirs.end(), options.sasrec_ensemble.begin(), options.sasrec_ensemble.end());
    for (const auto& dir : dirs) {
      sasrecs.push_back(baseline::SasrecScorer::load(dir));
      if (sasrecs.back().num_items() != static_cast<std::int64_t>(catalog.items().size()))
        throw InputError(fmt::format("{}: SASRec was trained on {} items, the catalog has {}", dir,
                                     sasrecs.back().num_items(), catalog.items().size()));
      sasrec_rows.push_back(
          baseline::SequenceData::to_split(interactions, sasrecs.back().num_items(), sasrecs.back().max_len()).rows);
    }
    const std::int64_t vocab = step_model->vocab_size();
    auto prior = std::make_unique<decode::ItemPriorStepModel>(item_token_paths(catalog, tokenizer, end_token), vocab);
    sasrec_member = prior.get();
    std::vector<std::unique_ptr<decode::StepModel>> experts;
    experts.push_back(std::move(step_model));
    experts.push_back(std::move(prior));
    step_model = std::make_unique<decode::EnsembleStepModel>(
        std::move(experts), std::vector<double>{1.0 - options.sasrec_weight, options.sasrec_weight},
        decode::parse_mixing(options.sasrec_mix));
  }
  auto beam = beam_options(options, end_token);

  std::vector<Json> rows_out(prompts.size());
  std::vector<ScoredRow> scored;
  std::size_t thoughts_closed = 0, thought_tokens = 0;
  std::optional<Progress> progress;
  if (!options.quiet) progress.emplace("evaluate " + options.mode, prompts.size(), "users");
  auto start = std::chrono::steady_clock::now();
  std::vector<std::vector<decode::TokenId>> all_ids(prompts.size());
  for (std::size_t i = 0; i < prompts.size(); ++i) all_ids[i] = tasks::eval_prompt_ids(prompts[i], mode, encoder);
  // Batches of similar lengths waste less compute on left padding; results go back to row order.
  std::vector<std::size_t> order(prompts.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return all_ids[a].size() < all_ids[b].size(); });
  for (std::size_t begin = 0; begin < prompts.size(); begin += static_cast<std::size_t>(options.batch_size)) {
    std::size_t end = std::min(prompts.size(), begin + static_cast<std::size_t>(options.batch_size));
    std::vector<std::vector<decode::TokenId>> ids;
    std::vector<std::string> texts;
    for (std::size_t i = begin; i < end; ++i) {
      ids.push_back(all_ids[order[i]]);
      texts.push_back(prompts[order[i]].text());
    }
    if (sasrec_member) {
      // The SASRec runs' item distributions averaged (log of the mean probability), then the temperature.
      std::vector<torch::Tensor> run_log_probs;
      for (std::size_t r = 0; r < sasrecs.size(); ++r) {
        std::vector<std::vector<std::int64_t>> histories;
        for (std::size_t i = begin; i < end; ++i) histories.push_back(sasrec_rows[r][order[i]].history);
        run_log_probs.push_back(sasrecs[r].log_probs(histories));
      }
      auto item_log_probs = run_log_probs.size() == 1
                                ? run_log_probs.front()
                                : torch::logsumexp(torch::stack(run_log_probs), 0) -
                                      std::log(static_cast<double>(run_log_probs.size()));
      if (options.sasrec_temperature != 1.0) item_log_probs = item_log_probs / options.sasrec_temperature;
      sasrec_member->set_item_log_probs(item_log_probs);
    }
    if (mode == tasks::EvalMode::Plain) {
      auto results = decode::search_sids(*step_model, trie, end_token, ids, beam);
      for (std::size_t k = 0; k < results.size(); ++k) {
        const auto& p = prompts[order[begin + k]];
        Json row;
        row["input"] = p.user;
        row["output"] = p.target_sid + "\n";
        row["predict"] = predict_list(results[k]);
        if (options.with_scores) row["scores"] = score_list(results[k]);
        if (options.with_prompt_ids) row["prompt_ids"] = ids[k];
        rows_out[order[begin + k]] = std::move(row);
      }
    } else {
      decode::ThinkOptions think;
      think.max_thought_tokens = options.think_tokens;
      auto results = decode::think_then_search(*step_model, tokenizer, trie, end_token, ids, texts, think, beam);
      for (std::size_t k = 0; k < results.size(); ++k) {
        const auto& p = prompts[order[begin + k]];
        thoughts_closed += results[k].closed ? 1 : 0;
        thought_tokens += results[k].thought_tokens;
        Json row;
        row["history_str"] = p.history;
        row["target_title"] = p.target_title;
        row["output"] = p.target_sid;
        row["prompt_cot"] = p.text();
        row["cot"] = results[k].thought;
        row["predict"] = predict_list(results[k].predictions);
        if (options.with_scores) row["scores"] = score_list(results[k].predictions);
        if (options.with_prompt_ids) row["prompt_ids"] = ids[k];
        rows_out[order[begin + k]] = std::move(row);
      }
    }
    if (progress) progress->advance(end - begin);
#ifdef __GLIBC__
    // Batches of varying prompt lengths fragment glibc's heap (RSS grew ~0.4 GB per 1,000 users without this).
    malloc_trim(0);
#endif
  }
  Json predictions = Json::array();
  for (auto& row : rows_out) predictions.push_back(std::move(row));
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (progress) progress->finish();

  for (const auto& row : predictions) {
    ScoredRow s;
    s.target = clean_target(row["output"].get<std::string>());
    for (const auto& p : row["predict"]) s.predictions.push_back(clean_prediction(p.get<std::string>()));
    scored.push_back(std::move(s));
  }
  EvaluateResult result;
  result.metrics = compute_metrics(scored, [&](const std::string& sid) { return catalog.has_sid(sid); }, "catalog");
  result.seconds = seconds;
  result.users = prompts.size();
  Json m = result.metrics.to_json();
  m["mode"] = options.mode;
  m["prompt_style"] = options.prompt_style;
  m["style"] = options.style;
  m["split"] = options.split;
  m["dataset"] = options.dataset;
  m["model"] = options.model_dir;
  if (!options.ensemble.empty()) {
    m["ensemble"] = options.ensemble;
    m["ensemble_mix"] = options.ensemble_mix;
  }
  if (!options.sasrec_dir.empty()) {
    m["sasrec"] = options.sasrec_dir;
    if (!options.sasrec_ensemble.empty()) m["sasrec_ensemble"] = options.sasrec_ensemble;
    m["sasrec_weight"] = options.sasrec_weight;
    m["sasrec_mix"] = options.sasrec_mix;
    m["sasrec_temperature"] = options.sasrec_temperature;
  }
  m["beam_sampling"] = options.beam_sampling;
  m["batch_size"] = options.batch_size;
  m["seconds"] = seconds;
  m["users_per_second"] = seconds > 0 ? static_cast<double>(prompts.size()) / seconds : 0.0;
  m["device"] = options.runtime.device;
  m["dtype"] = options.runtime.dtype;
  m["threads"] = at::get_num_threads();
  m["peak_memory_mib"] = peak_memory_mib();
  if (mode == tasks::EvalMode::Think) {
    m["think_tokens"] = options.think_tokens;
    m["thoughts_closed"] = thoughts_closed;
    m["mean_thought_tokens"] = prompts.empty() ? 0.0 : static_cast<double>(thought_tokens) / prompts.size();
  }
  result.metrics_json = m;

  std::filesystem::create_directories(options.out_dir);
  write_file_atomic(std::filesystem::path(options.out_dir) / "predictions.json", predictions.dump(2) + "\n");
  write_file_atomic(std::filesystem::path(options.out_dir) / "metrics.json", m.dump(2) + "\n");
  return result;
}

}  // namespace sidr::eval
