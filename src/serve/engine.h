// The model side of the server: the catalog, the tokenizer, the SID trie and the recommender stack (the same
// one `evaluate` builds, from the same options), and the three things the HTTP layer asks of them: a batch of
// recommendations (one batched beam search, plain or think), a chat completion, a title search. Not
// thread-safe: the batcher's one worker thread is its only caller for the model calls.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "data/catalog.h"
#include "data/interactions.h"
#include "eval/recommender.h"
#include "serve/request.h"
#include "sid/sid_trie.h"
#include "tasks/encode.h"
#include "tasks/eval_prompts.h"
#include "text/tokenizer.h"
#include "util/common_option_fields.h"

namespace sidr::serve {

struct EngineOptions {
  eval::RecommenderOptions stack;  // model, ensemble, SASRec (sid_search_marker is set by the engine)
  double sasrec_weight = 0.3, sasrec_temperature = 1.0;
  std::string sasrec_mix = "mean";
  std::string data_root = opts::kDefaultDataRoot, dataset = opts::kDefaultDataset;
  std::string style = "reference";         // prompt style the model was trained with
  std::string prompt_style = "reference";  // plain mode: reference | training
  int beams = 10;                          // beam width = the largest k
  int think_tokens = 1024;                 // think mode: greedy thought budget
  std::string users_split = "test";        // the split whose users the page offers
};

struct RecommendedItem {
  std::string sid;
  std::vector<std::string> item_ids;
  std::vector<std::string> titles;
  float score = 0;
};

struct Recommendation {
  std::vector<RecommendedItem> items;
  std::string reasoning;  // think mode: the thought; plain: empty
  bool thought_closed = false;
};

struct ChatResult {
  std::vector<std::string> pieces;  // the completion, one decoded piece per generated token (for streaming)
  std::string text;                 // the whole completion (pieces joined, the stop token left out)
  std::string finish_reason;        // "stop" | "length" | "cancelled" (the piece sink said stop)
  std::size_t prompt_tokens = 0, completion_tokens = 0;
};

class Engine {
 public:
  explicit Engine(const EngineOptions& options);
  ~Engine();

  // One batched search for requests of one mode; results in request order.
  std::vector<Recommendation> recommend(const std::vector<const RecommendRequest*>& requests, Mode mode);
  // RequestError(413) when the prompt and max_tokens do not fit; 501 with a SASRec prior (its search expects
  // recommendation prompts). on_piece, when given, receives each piece as soon as its token is generated
  // (ChatResult::pieces, in order); returning false stops the generation (finish_reason "cancelled").
  using PieceSink = std::function<bool(const std::string& piece)>;
  ChatResult chat(const ChatRequest& request, const PieceSink& on_piece = nullptr);
  void check_chat(const ChatRequest& request) const;  // the same errors, before queueing

  // Titles holding every word of q (case-insensitive), catalog order, at most limit.
  std::vector<const data::Item*> search_items(const std::string& q, std::size_t limit) const;

  const data::Catalog& catalog() const { return catalog_; }
  const text::Tokenizer& tokenizer() const { return tokenizer_; }
  const data::Interactions& users() const { return users_; }
  const EngineOptions& options() const { return options_; }
  bool think_available() const { return think_available_; }

 private:
  std::vector<decode::TokenId> chat_prompt_ids(const ChatRequest& request) const;

  EngineOptions options_;
  data::Catalog catalog_;
  data::Interactions users_;
  text::Tokenizer tokenizer_;
  decode::TokenId end_token_ = -1;
  sid::SidTrie trie_;
  tasks::SampleEncoder encoder_;
  std::unique_ptr<eval::Recommender> recommender_;
  std::vector<std::string> lower_titles_;
  std::int64_t max_positions_ = 0;
  bool think_available_ = true;
};

}  // namespace sidr::serve
