// The evaluation runner: a checkpoint, a dataset split and a mode in; the reference's predictions.json and a
// metrics.json (HR@K, NDCG@K, invalid predictions, timing) out.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "decode/marginal_search.h"
#include "eval/metrics.h"
#include "model/runtime.h"
#include "util/json.h"

namespace sidr::eval {

struct EvaluateOptions {
  std::string model_dir;                // checkpoint with tokenizer.json (HF layout)
  // More checkpoints decoded with model_dir as one ensemble (the members' next-token distributions combined as
  // ensemble_mix says); each needs the same tokenizer.json as model_dir.
  std::vector<std::string> ensemble;
  std::string ensemble_mix = "mean";    // how the members combine: mean (a mixture) or product (of experts)
  // A trained SASRec run directory (`sidreasoner baseline sasrec`) mixed into the search (plain mode): its
  // item distribution, as a next-token distribution over SID prefixes, gets weight sasrec_weight and the
  // language model(s) the rest, mixed as sasrec_mix says: "mean" (a mixture of the two distributions) or
  // "product" (a weighted product of experts). sasrec_temperature divides SASRec's item logits first
  // (> 1 flattens an over-confident SASRec).
  // sasrec_ensemble: more SASRec runs (e.g. other seeds) whose item distributions are averaged with sasrec_dir's
  // before mixing.
  std::string sasrec_dir;
  std::vector<std::string> sasrec_ensemble;
  double sasrec_weight = 0.3;
  std::string sasrec_mix = "mean";
  double sasrec_temperature = 1.0;
  std::string data_root;                // e.g. data/Amazon
  std::string dataset;                  // e.g. Industrial_and_Scientific
  std::string split = "test";           // train | valid | test
  std::string mode = "plain";           // plain | think
  std::string prompt_style = "reference";  // plain mode: reference (EvalSidDataset) | training (T1 + Q3T block)
  std::string style = "reference";      // reference | compact (the prompts the model was trained with)
  std::string out_dir;                  // predictions.json and metrics.json go here
  int beams = 10;                       // beams = returned SIDs per user
  std::size_t limit = 0;                // evaluate the first N rows; 0 = all
  int batch_size = 8;                   // prompts per beam search (the reference: 8 plain, 4 think)
  int think_tokens = 1024;              // thinking mode: chain-of-thought budget (every think decode)
  // Think mode, how the thought is made (docs/decode.md):
  //   reference: one greedy thought, then the SID beam search (the reference's two passes);
  //   marginalised: `thoughts` thoughts (sampled at thought_temperature, or the best by beam search), each
  //     continued into the SID search, SID score = logsumexp over thoughts of log p(t) + log p(SID | t),
  //     optionally pooled with the plain-mode beams (think_pool_plain = their weight w in [0, 1));
  //   oracle: the narrative CSV's reasoning_path fed in as the thought (an upper bound, diagnosis only).
  std::string think_decode = "reference";
  int thoughts = 5;
  std::string thought_search = "sample";  // sample | beam
  double thought_temperature = 1.0;
  double think_pool_plain = 0.0;
  // Narrative CSV (history_item_sid, item_sid, reasoning_path) for the split evaluated: the oracle's thoughts,
  // and in the other think decodes the reference for the generated thought's word recall.
  std::string narrative;
  bool beam_sampling = false;           // reproduce HF beam sampling (the reference's generation-config leak)
  double temperature = 0.6;             // beam sampling only (Qwen3's generation_config.json values)
  std::int64_t top_k = 20;
  double top_p = 0.95;
  std::uint64_t seed = 42;
  bool with_scores = false;             // add "scores" (beam log-probs) to each prediction object
  bool with_prompt_ids = false;         // add "prompt_ids" (the token ids searched from; parity tests, benchmarks)
  bool quiet = false;                   // no progress bar
  model::RuntimeOptions runtime;

  void validate() const;  // InputError with a full sentence
  decode::ThoughtSearchOptions thought_search_options() const;  // the marginalised decode's settings
};

struct EvaluateResult {
  MetricsReport metrics;
  Json metrics_json;  // what metrics.json holds
  double seconds = 0;
  std::size_t users = 0;
};

EvaluateResult run_evaluation(const EvaluateOptions& options);

// Peak resident memory of this process in MiB (VmHWM), 0 if unknown.
double peak_memory_mib();

}  // namespace sidr::eval
