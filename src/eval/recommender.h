// The recommender stack, built once from options: the language model (or the ensemble of it and more
// checkpoints, combined by ensemble_mix) and, with SASRec runs, their item prior mixed in as a second expert
// (eval/fusion_settings.h). `evaluate` builds it and only loops batches; serving and RL evaluation build the
// same stack. The caller registers each prompt with its user's history (add_context) so that the SASRec
// prior finds it when a search starts from that prompt (or from that prompt followed by a thought).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "data/catalog.h"
#include "decode/step_model.h"
#include "eval/fusion_settings.h"
#include "model/runtime.h"
#include "text/tokenizer.h"

namespace sidr::eval {

class HistoryItemScorer;

struct RecommenderOptions {
  std::string model_dir;                 // checkpoint with tokenizer.json (HF layout)
  std::vector<std::string> ensemble;     // more checkpoints with the same tokenizer.json
  std::string ensemble_mix = "mean";     // how the language models combine
  std::string sasrec_dir;                // a SASRec run mixed into the search ("" = none)
  std::vector<std::string> sasrec_ensemble;  // more SASRec runs averaged with sasrec_dir's
  FusionSettings fusion;                 // how SASRec mixes with the language model(s)
  // The prompt ending after which the SID search starts: SASRec's prior is neutral for other prompts (the
  // think-mode thought). Empty: every search prompt.
  std::vector<decode::TokenId> sid_search_marker;
  model::RuntimeOptions runtime;
};

// Each catalog item's token path in the reference trie (SID level tokens, "\n", end), by item position.
// An item without a SID gets the path {end}: the constraint never allows it, so its probability is lost.
std::vector<std::vector<decode::TokenId>> item_token_paths(const data::Catalog& catalog,
                                                           const text::Tokenizer& tokenizer,
                                                           decode::TokenId end_token);

class Recommender {
 public:
  // Loads every checkpoint and SASRec run. InputError for a member whose tokenizer.json or vocabulary differs
  // from model_dir's, a vocabulary smaller than the tokenizer's, or a SASRec run over another catalog size.
  Recommender(const RecommenderOptions& options, const data::Catalog& catalog, const text::Tokenizer& tokenizer,
              decode::TokenId end_token);
  ~Recommender();
  Recommender(Recommender&&) noexcept;

  decode::StepModel& model() { return *model_; }
  bool has_item_prior() const { return item_scorer_ != nullptr; }
  // The user's history (catalog item ids, oldest first) behind a prompt; ignored without an item prior.
  void add_context(const std::vector<decode::TokenId>& prompt, const std::vector<std::int64_t>& history);
  // Forgets every add_context (serving: after each batch, so memory stays bounded).
  void clear_contexts();

 private:
  std::unique_ptr<decode::StepModel> model_;
  std::shared_ptr<HistoryItemScorer> item_scorer_;
};

}  // namespace sidr::eval
