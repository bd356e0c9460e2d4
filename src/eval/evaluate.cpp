#include "eval/evaluate.h"

#include <malloc.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "baseline/sequence_data.h"
#include "data/catalog.h"
#include "data/dataset.h"
#include "data/interactions.h"
#include "decode/ensemble_step_model.h"
#include "decode/marginal_search.h"
#include "decode/sid_search.h"
#include "eval/fusion_settings.h"
#include "eval/recommender.h"
#include "eval/reference_reasoning.h"
#include "tasks/encode.h"
#include "tasks/eval_prompts.h"
#include "text/tokenizer.h"
#include "util/error.h"
#include "util/file_io.h"
#include "util/output_dir.h"
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
  if (think_decode != "reference" && think_decode != "marginalised" && think_decode != "oracle")
    throw InputError("--think-decode must be reference, marginalised or oracle, got '" + think_decode + "'");
  if (think_decode != "reference" && mode != "think")
    throw InputError("--think-decode " + think_decode + " needs --mode think");
  if (thought_search != "sample" && thought_search != "beam")
    throw InputError("--thought-search must be sample or beam, got '" + thought_search + "'");
  if (think_decode == "marginalised") thought_search_options().validate();
  else if (think_pool_plain != 0.0)
    throw InputError("--think-pool-plain pools plain beams into --think-decode marginalised only");
  if (think_decode == "oracle" && narrative.empty())
    throw InputError("--think-decode oracle needs --narrative (the CSV whose reasoning_path is fed in)");
  if (!narrative.empty() && mode != "think")
    throw InputError("--narrative is read in think mode only (oracle thoughts, thought word recall)");
  try {
    decode::parse_mixing(ensemble_mix);
  } catch (const std::invalid_argument& e) {
    throw InputError(std::string("--ensemble-mix ") + e.what());
  }
  if (sasrec_dir.empty() && !sasrec_ensemble.empty())
    throw InputError("--sasrec-ensemble adds runs to --sasrec: give --sasrec first");
  if (!sasrec_dir.empty())
    FusionSettings{sasrec_weight, sasrec_mix, sasrec_temperature}.validate(
        [](const std::string& field) { return "--sasrec-" + field; });
  runtime.validate();
}

Json EvaluateOptions::to_json() const { return opts::fields_to_json(*this); }

decode::ThoughtSearchOptions EvaluateOptions::thought_search_options() const {
  decode::ThoughtSearchOptions t;
  t.thoughts = thoughts;
  t.beam = thought_search == "beam";
  t.temperature = thought_temperature;
  t.max_thought_tokens = think_tokens;
  t.seed = seed;
  t.plain_weight = think_pool_plain;
  return t;
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

enum class ThinkDecode { Reference, Marginalised, Oracle };

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

}  // namespace

EvaluateResult run_evaluation(const EvaluateOptions& options) {
  options.validate();
  // An --out that cannot be written is refused before any work (and before anything is written).
  check_output_directory(options.out_dir, "--out");
  options.runtime.apply();
  const auto mode = tasks::parse_eval_mode(options.mode);
  const auto split = data::parse_split(options.split);

  // Inputs first: every bad file fails before the model is loaded and before anything is written.
  data::DatasetPaths paths{options.data_root, options.dataset};
  auto catalog = data::Catalog::load(paths);
  auto interactions = data::Interactions::load(paths.interactions(split));
  if (options.limit > 0 && interactions.rows.size() > options.limit) interactions.rows.resize(options.limit);
  // A target outside the catalog could never be recommended: it would count as a silent miss.
  for (const auto& row : interactions.rows)
    if (!catalog.has_sid(clean_target(row.item_sid)))
      throw_input_error({interactions.file.string(), row.line, 0, "item_sid"},
                        fmt::format("target SID {} is not in the catalog ({})", row.item_sid,
                                    paths.index_json().string()));
  const std::filesystem::path tokenizer_path = std::filesystem::path(options.model_dir) / "tokenizer.json";
  auto tokenizer = text::Tokenizer::from_file(tokenizer_path);
  const decode::TokenId end_token = tokenizer.require_id("<|im_end|>");
  auto trie = [&] {
    try {
      return decode::build_reference_trie(catalog.distinct_sids(), tokenizer, end_token);
    } catch (const InputError& e) {  // name both files: the SIDs come from the index, the tokens from the model
      throw InputError(fmt::format("{}: {} (SIDs from {}: was the checkpoint trained on this catalog?)",
                                   tokenizer_path.string(), e.what(), paths.index_json().string()));
    }
  }();
  std::optional<ReferenceReasoning> reference_reasoning;
  if (!options.narrative.empty()) reference_reasoning = ReferenceReasoning::load(options.narrative, catalog);

  tasks::EvalPromptOptions prompt_options;
  prompt_options.mode = mode;
  prompt_options.style = tasks::parse_prompt_style(options.style);
  prompt_options.eval_style =
      tasks::parse_eval_prompt_style(options.prompt_style == "train" ? "training" : options.prompt_style);
  auto prompts = tasks::build_eval_prompts(interactions, prompt_options);
  tasks::SampleEncoder encoder(tokenizer);

  // Think-mode decodes: the closing of generated thoughts, the plain prompts pooled in, the narrative's reasoning.
  const ThinkDecode think_decode = options.think_decode == "oracle"         ? ThinkDecode::Oracle
                                   : options.think_decode == "marginalised" ? ThinkDecode::Marginalised
                                                                            : ThinkDecode::Reference;
  decode::ThoughtClosing closing;
  if (mode == tasks::EvalMode::Think) closing = decode::reference_closing(tokenizer, decode::ThinkOptions{}.max_total_tokens);
  const bool pool_plain = think_decode == ThinkDecode::Marginalised && options.think_pool_plain > 0;
  std::vector<std::vector<decode::TokenId>> plain_all_ids;
  std::vector<const std::string*> oracle_reasoning(prompts.size(), nullptr);
  if (reference_reasoning) {
    for (std::size_t i = 0; i < prompts.size(); ++i) {
      oracle_reasoning[i] = reference_reasoning->find(interactions.rows[i].history_sids, prompts[i].target_sid);
      if (!oracle_reasoning[i] && think_decode == ThinkDecode::Oracle)
        throw_input_error({reference_reasoning->file().string(), 0, 0, "reasoning_path"},
                          fmt::format("no usable reasoning for {} row {} (line {} of {}): the oracle needs one for "
                                      "every evaluated row",
                                      options.split, i, interactions.rows[i].line, interactions.file.string()));
    }
  }
  // One stack: the language model(s) and, with --sasrec, SASRec's item prior (its search starts after the
  // prompt in plain mode, after the closed thought in think mode).
  RecommenderOptions stack;
  stack.model_dir = options.model_dir;
  stack.ensemble = options.ensemble;
  stack.ensemble_mix = options.ensemble_mix;
  stack.sasrec_dir = options.sasrec_dir;
  stack.sasrec_ensemble = options.sasrec_ensemble;
  stack.fusion = {options.sasrec_weight, options.sasrec_mix, options.sasrec_temperature};
  if (mode == tasks::EvalMode::Think)
    stack.sid_search_marker = tokenizer.encode(tasks::eval_sid_separator(mode), /*parse_special=*/true);
  stack.runtime = options.runtime;
  if (!options.sasrec_dir.empty())  // every history id in the catalog (InputError naming file and line)
    baseline::SequenceData::to_split(interactions, static_cast<std::int64_t>(catalog.items().size()), 1);
  Recommender recommender(stack, catalog, tokenizer, end_token);
  decode::StepModel& step_model = recommender.model();
  auto beam = beam_options(options, end_token);

  auto oracle_ids = [&](std::size_t i) {
    auto ids = tasks::eval_prompt_ids(prompts[i], mode, encoder);
    auto thought = tokenizer.encode("<think>\n" + *oracle_reasoning[i] + "\n</think>\n\n", /*parse_special=*/true);
    // Right truncation to 2560 as the reference truncates prompt + thought; the closing always stays.
    if (ids.size() + thought.size() > closing.max_total_tokens) {
      const auto tail = closing.close_ids.size();
      const std::size_t room = closing.max_total_tokens > ids.size() + tail ? closing.max_total_tokens - ids.size() - tail : 0;
      thought.resize(room);
      thought.insert(thought.end(), closing.close_ids.begin(), closing.close_ids.end());
    }
    ids.insert(ids.end(), thought.begin(), thought.end());
    return ids;
  };
  double recall_sum = 0;
  std::size_t recall_rows = 0, distinct_thoughts = 0;
  auto think_row = [&](std::size_t i, const std::string& cot, const std::vector<decode::SidPrediction>& predictions) {
    const auto& p = prompts[i];
    Json row;
    row["history_str"] = p.history;
    row["target_title"] = p.target_title;
    row["output"] = p.target_sid;
    row["prompt_cot"] = p.text();
    row["cot"] = cot;
    row["predict"] = predict_list(predictions);
    if (options.with_scores) row["scores"] = score_list(predictions);
    if (oracle_reasoning[i] && think_decode != ThinkDecode::Oracle) {
      if (auto recall = word_recall(*oracle_reasoning[i], cot)) {
        row["reasoning_word_recall"] = *recall;
        recall_sum += *recall;
        ++recall_rows;
      }
    }
    return row;
  };

  std::vector<Json> rows_out(prompts.size());
  std::vector<ScoredRow> scored;
  std::size_t thoughts_closed = 0, thought_tokens = 0;
  std::optional<Progress> progress;
  if (options.progress) progress.emplace("evaluate " + options.mode, prompts.size(), "users");
  auto start = std::chrono::steady_clock::now();
  std::vector<std::vector<decode::TokenId>> all_ids(prompts.size());
  for (std::size_t i = 0; i < prompts.size(); ++i) {
    all_ids[i] = tasks::eval_prompt_ids(prompts[i], mode, encoder);
    recommender.add_context(all_ids[i], interactions.rows[i].history_ids);
  }
  if (pool_plain) {  // the same users' plain-mode prompts, pooled into the marginalised ranking
    tasks::EvalPromptOptions plain_options = prompt_options;
    plain_options.mode = tasks::EvalMode::Plain;
    auto plain_prompts = tasks::build_eval_prompts(interactions, plain_options);
    for (std::size_t i = 0; i < plain_prompts.size(); ++i) {
      plain_all_ids.push_back(tasks::eval_prompt_ids(plain_prompts[i], tasks::EvalMode::Plain, encoder));
      recommender.add_context(plain_all_ids.back(), interactions.rows[i].history_ids);
    }
  }
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
    if (mode == tasks::EvalMode::Plain) {
      auto results = decode::search_sids(step_model, trie, end_token, ids, beam);
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
    } else if (think_decode == ThinkDecode::Reference) {
      decode::ThinkOptions think;
      think.max_thought_tokens = options.think_tokens;
      auto results = decode::think_then_search(step_model, tokenizer, trie, end_token, ids, texts, think, beam);
      for (std::size_t k = 0; k < results.size(); ++k) {
        thoughts_closed += results[k].closed ? 1 : 0;
        thought_tokens += results[k].thought_tokens;
        Json row = think_row(order[begin + k], results[k].thought, results[k].predictions);
        if (options.with_prompt_ids) row["prompt_ids"] = ids[k];
        rows_out[order[begin + k]] = std::move(row);
      }
    } else if (think_decode == ThinkDecode::Marginalised) {
      std::vector<std::vector<decode::TokenId>> plain_ids;
      if (pool_plain)
        for (std::size_t i = begin; i < end; ++i) plain_ids.push_back(plain_all_ids[order[i]]);
      auto results = decode::marginalised_search(step_model, trie, end_token, ids, plain_ids, closing,
                                                 options.thought_search_options(), beam);
      for (std::size_t k = 0; k < results.size(); ++k) {
        const auto& r = results[k];
        Json thoughts = Json::array();
        for (const auto& t : r.thoughts) {
          thoughts_closed += t.closed ? 1 : 0;
          thought_tokens += t.tokens.size();
          Json one;
          one["cot"] = decode::thought_text(tokenizer, t.tokens);
          one["log_prob"] = t.log_prob;
          one["closed"] = t.closed;
          one["tokens"] = t.tokens.size();
          if (options.with_scores) {  // this thought's own beams: log p(SID | thought)
            one["predict"] = predict_list(t.predictions);
            one["scores"] = score_list(t.predictions);
          }
          thoughts.push_back(std::move(one));
        }
        distinct_thoughts += r.thoughts.size();
        // "cot": the most probable thought (the one a reader would look at).
        std::string cot = thoughts.empty() ? std::string() : thoughts[0]["cot"].get<std::string>();
        Json row = think_row(order[begin + k], cot, r.predictions);
        row["thoughts"] = std::move(thoughts);
        if (pool_plain && options.with_scores) {
          row["plain_predict"] = predict_list(r.plain);
          row["plain_scores"] = score_list(r.plain);
        }
        if (options.with_prompt_ids) row["prompt_ids"] = ids[k];
        rows_out[order[begin + k]] = std::move(row);
      }
    } else {  // oracle: prompt + "<think>\n{reasoning}\n</think>\n\n", then the search
      std::vector<std::vector<decode::TokenId>> fed;
      for (std::size_t i = begin; i < end; ++i) fed.push_back(oracle_ids(order[i]));
      auto results = decode::search_sids(step_model, trie, end_token, fed, beam);
      for (std::size_t k = 0; k < results.size(); ++k) {
        const std::size_t row_index = order[begin + k];
        Json row = think_row(row_index, *oracle_reasoning[row_index], results[k]);
        if (options.with_prompt_ids) row["prompt_ids"] = fed[k];
        rows_out[row_index] = std::move(row);
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
  m["options"] = options.to_json();  // every result-changing option, as given (the keys above are the summary)
  if (mode == tasks::EvalMode::Think) {
    m["think_tokens"] = options.think_tokens;
    m["think_decode"] = options.think_decode;
    if (think_decode != ThinkDecode::Oracle) {
      m["thoughts_closed"] = thoughts_closed;
      const std::size_t generated = think_decode == ThinkDecode::Marginalised ? distinct_thoughts : prompts.size();
      m["mean_thought_tokens"] = generated == 0 ? 0.0 : static_cast<double>(thought_tokens) / generated;
    }
    if (think_decode == ThinkDecode::Marginalised) {
      m["thoughts"] = options.thoughts;
      m["thought_search"] = options.thought_search;
      if (options.thought_search == "sample") m["thought_temperature"] = options.thought_temperature;
      m["mean_distinct_thoughts"] = prompts.empty() ? 0.0 : static_cast<double>(distinct_thoughts) / prompts.size();
      m["think_pool_plain"] = options.think_pool_plain;
    }
    if (!options.narrative.empty()) {
      m["narrative"] = options.narrative;
      if (think_decode != ThinkDecode::Oracle) {
        // The mean over rows with a reference reasoning of the share of its words the generated thought has.
        m["reasoning_word_recall"] = recall_rows == 0 ? Json(nullptr) : Json(recall_sum / recall_rows);
        m["reasoning_recall_rows"] = recall_rows;
      }
    }
  }
  result.metrics_json = m;

  std::filesystem::create_directories(options.out_dir);
  write_file_atomic(std::filesystem::path(options.out_dir) / "predictions.json", predictions.dump(2) + "\n");
  write_file_atomic(std::filesystem::path(options.out_dir) / "metrics.json", m.dump(2) + "\n");
  return result;
}

}  // namespace sidr::eval
