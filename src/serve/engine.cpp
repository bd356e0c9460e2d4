#include "serve/engine.h"

#include <malloc.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>

#include <fmt/format.h>

#include "baseline/sequence_data.h"
#include "data/dataset.h"
#include "decode/ensemble_step_model.h"
#include "decode/generate.h"
#include "decode/sid_search.h"
#include "model/config.h"
#include "util/strings.h"

namespace sidr::serve {
namespace {

// evaluate's beam search (src/eval/evaluate.cpp beam_options), so answers match its predictions.
decode::BeamSearchOptions beam_options(int beams, decode::TokenId end_token) {
  decode::BeamSearchOptions b;
  b.beams = beams;
  b.return_sequences = beams;
  b.max_new_tokens = 256;
  b.end_tokens = {end_token};
  b.length_penalty = 0.0;
  b.early_stopping = true;
  return b;
}

std::string lower(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

tasks::EvalPromptOptions prompt_options(const EngineOptions& o, Mode mode) {
  tasks::EvalPromptOptions p;
  p.mode = mode == Mode::Think ? tasks::EvalMode::Think : tasks::EvalMode::Plain;
  p.style = tasks::parse_prompt_style(o.style);
  p.eval_style = tasks::parse_eval_prompt_style(o.prompt_style == "train" ? "training" : o.prompt_style);
  return p;
}

}  // namespace

Engine::Engine(const EngineOptions& options)
    : options_(options),
      catalog_(data::Catalog::load(data::DatasetPaths{options.data_root, options.dataset})),
      users_(data::Interactions::load(
          data::DatasetPaths{options.data_root, options.dataset}.interactions(data::parse_split(options.users_split)))),
      tokenizer_(text::Tokenizer::from_file(std::filesystem::path(options.stack.model_dir) / "tokenizer.json")),
      end_token_(tokenizer_.require_id("<|im_end|>")),
      trie_(decode::build_reference_trie(catalog_.distinct_sids(), tokenizer_, end_token_)),
      encoder_(tokenizer_) {
  if (options_.beams < 1) throw InputError("--beams must be at least 1, got " + std::to_string(options_.beams));
  if (options_.think_tokens < 1)
    throw InputError("--think-tokens must be at least 1, got " + std::to_string(options_.think_tokens));
  prompt_options(options_, Mode::Plain);  // InputError on a bad --style / --prompt-style
  try {
    decode::parse_mixing(options_.stack.ensemble_mix);
  } catch (const std::invalid_argument& e) {
    throw InputError(std::string("--ensemble-mix ") + e.what());
  }
  if (options_.stack.sasrec_dir.empty() && !options_.stack.sasrec_ensemble.empty())
    throw InputError("--sasrec-ensemble adds runs to --sasrec: give --sasrec first");
  options_.stack.runtime.validate();
  eval::RecommenderOptions stack = options_.stack;
  stack.fusion = {options_.sasrec_weight, options_.sasrec_mix, options_.sasrec_temperature};
  if (!stack.sasrec_dir.empty()) {
    stack.fusion.validate([](const std::string& field) { return "--sasrec-" + field; });
    // One stack serves both modes: SASRec's prior starts after "</think>\n\n", which ends the think-mode
    // search prompt and (as the last tokens of "\n</think>\n\n") the reference plain prompt. Where the plain
    // prompt has no think block (sequence style) the marker would be empty, and think mode is off instead.
    const std::string plain_separator = tasks::eval_sid_separator(prompt_options(options_, Mode::Plain));
    const std::string think_separator = tasks::eval_sid_separator(tasks::EvalMode::Think);
    if (ends_with(plain_separator, think_separator) && !plain_separator.empty())
      stack.sid_search_marker = tokenizer_.encode(think_separator, /*parse_special=*/true);
    else
      think_available_ = false;
  }
  stack.runtime.apply();
  recommender_ = std::make_unique<eval::Recommender>(stack, catalog_, tokenizer_, end_token_);
  max_positions_ = model::ModelConfig::load(std::filesystem::path(stack.model_dir) / "config.json")
                       .max_position_embeddings;
  for (const auto& item : catalog_.items()) lower_titles_.push_back(lower(item.title));
}

Engine::~Engine() = default;

std::vector<Recommendation> Engine::recommend(const std::vector<const RecommendRequest*>& requests, Mode mode) {
  const auto popts = prompt_options(options_, mode);
  std::vector<std::vector<decode::TokenId>> ids;
  std::vector<std::string> texts;
  for (const auto* r : requests) {
    auto prompt = tasks::build_eval_prompt(r->history_sids, popts);
    ids.push_back(tasks::eval_prompt_ids(prompt, popts.mode, encoder_));
    texts.push_back(prompt.text());
    recommender_->add_context(ids.back(), r->history);
  }
  const auto beam = beam_options(options_.beams, end_token_);
  std::vector<std::vector<decode::SidPrediction>> predictions;
  std::vector<Recommendation> out(requests.size());
  if (mode == Mode::Plain) {
    predictions = decode::search_sids(recommender_->model(), trie_, end_token_, ids, beam);
  } else {
    decode::ThinkOptions think;
    think.max_thought_tokens = options_.think_tokens;
    auto results = decode::think_then_search(recommender_->model(), tokenizer_, trie_, end_token_, ids, texts, think,
                                             beam);
    for (std::size_t i = 0; i < results.size(); ++i) {
      out[i].reasoning = results[i].thought;
      out[i].thought_closed = results[i].closed;
      predictions.push_back(std::move(results[i].predictions));
    }
  }
  recommender_->clear_contexts();
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const std::set<std::string> excluded(requests[i]->exclude_sids.begin(), requests[i]->exclude_sids.end());
    for (const auto& p : predictions[i]) {
      if (static_cast<int>(out[i].items.size()) >= requests[i]->k) break;
      if (excluded.count(p.sid)) continue;
      RecommendedItem item;
      item.sid = p.sid;
      item.score = p.score;
      for (const auto& id : catalog_.items_with_sid(p.sid)) {
        item.item_ids.push_back(id);
        item.titles.push_back(catalog_.at(id).title);
      }
      out[i].items.push_back(std::move(item));
    }
  }
#ifdef __GLIBC__
  malloc_trim(0);  // as evaluate: batches of varying prompt lengths fragment glibc's heap
#endif
  return out;
}

std::vector<decode::TokenId> Engine::chat_prompt_ids(const ChatRequest& request) const {
  // The messages were checked to hold no added token (parse_chat_request), so parse_special only finds the
  // template's own control tokens.
  return tokenizer_.encode(text::render_chat(request.messages, /*add_generation_prompt=*/true), /*parse_special=*/true);
}

void Engine::check_chat(const ChatRequest& request) const {
  if (recommender_->has_item_prior())
    throw RequestError(501, "chat completions are off when serving with --sasrec (its prior only scores SIDs)");
  const auto n = static_cast<std::int64_t>(chat_prompt_ids(request).size());
  if (n + request.max_tokens > max_positions_)
    throw RequestError(413, fmt::format("the prompt ({} tokens) plus max_tokens ({}) exceeds the model's {} positions",
                                        n, request.max_tokens, max_positions_));
}

ChatResult Engine::chat(const ChatRequest& request, const PieceSink& on_piece) {
  check_chat(request);
  const auto prompt = chat_prompt_ids(request);
  ChatResult r;
  // Pieces: the text grows token by token; a piece is what the next token adds to the text's stable part. The
  // decoded text ends in U+FFFD while its last bytes are an incomplete character (a multi-byte character split
  // over tokens); that tail waits for the next token, which completes it or makes it a final U+FFFD. The stop
  // token adds nothing.
  static const std::string kReplacement = "\xEF\xBF\xBD";
  std::vector<decode::TokenId> kept;
  std::string done;
  auto add_token = [&](decode::TokenId token) {
    if (token == end_token_) return true;
    kept.push_back(token);
    std::string text = tokenizer_.decode(kept);
    std::size_t stable = text.size();
    while (stable >= done.size() + kReplacement.size() &&
           text.compare(stable - kReplacement.size(), kReplacement.size(), kReplacement) == 0)
      stable -= kReplacement.size();
    if (stable > done.size() && text.compare(0, done.size(), done) == 0) {
      r.pieces.push_back(text.substr(done.size(), stable - done.size()));
      done = text.substr(0, stable);
      if (on_piece) return on_piece(r.pieces.back());
    }
    return true;
  };
  decode::GenerateOptions g;
  g.max_new_tokens = request.max_tokens;
  g.sample = request.temperature > 0;
  if (g.sample) g.sampling.temperature = request.temperature;
  g.stop_tokens = {end_token_};
  g.seed = request.seed;
  g.on_token = [&](std::size_t, decode::TokenId token) { return add_token(token); };
  auto gen = decode::generate(recommender_->model(), {prompt}, g).front();
  r.prompt_tokens = prompt.size();
  r.completion_tokens = gen.tokens.size();
  r.finish_reason = gen.reason == decode::StopReason::StopToken   ? "stop"
                    : gen.reason == decode::StopReason::Cancelled ? "cancelled"
                                                                  : "length";
  r.text = tokenizer_.decode(kept);
  // A tail that never decoded to whole UTF-8 (the generation ended inside a character) is the last piece.
  if (r.text.size() > done.size() && r.text.compare(0, done.size(), done) == 0) {
    r.pieces.push_back(r.text.substr(done.size()));
    if (on_piece) on_piece(r.pieces.back());
  }
  return r;
}

std::vector<const data::Item*> Engine::search_items(const std::string& q, std::size_t limit) const {
  std::vector<std::string> words;
  for (auto& w : split(lower(q), ' '))
    if (!w.empty()) words.push_back(w);
  std::vector<const data::Item*> out;
  for (std::size_t i = 0; i < lower_titles_.size() && out.size() < limit; ++i) {
    if (catalog_.items()[i].sid.empty()) continue;
    bool all = true;
    for (const auto& w : words) all = all && lower_titles_[i].find(w) != std::string::npos;
    if (all) out.push_back(&catalog_.items()[i]);
  }
  return out;
}

}  // namespace sidr::serve
