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
#include "util/common_option_fields.h"
#include "util/json.h"
#include "util/option_fields.h"

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
  std::string data_root = opts::kDefaultDataRoot;
  std::string dataset = opts::kDefaultDataset;
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
  bool progress = true;                 // a progress bar on stderr
  model::RuntimeOptions runtime;

  void validate() const;  // InputError with a full sentence
  decode::ThoughtSearchOptions thought_search_options() const;  // the marginalised decode's settings
  // metrics.json's "options": every field of the list below that changes a result.
  Json to_json() const;

  // The field list: `sidreasoner evaluate`'s flags, in --help order, and what to_json records.
  template <class Self, class Visit>
  static void fields(Self& o, Visit&& visit) {
    using opts::Field, opts::kRequired, opts::kNotRecorded;
    visit(Field{"model", "checkpoint directory with tokenizer.json", kRequired}, o.model_dir);
    visit(Field{"ensemble", "another checkpoint decoded together with --model (repeatable): the members' "
                            "next-token distributions combined by --ensemble-mix; members share the tokenizer"},
          o.ensemble);
    visit(Field{"ensemble_mix", "how the --ensemble members combine: mean (a mixture) or product (a product of "
                                "experts)"},
          o.ensemble_mix);
    visit(Field{"sasrec", "a `baseline sasrec` run directory mixed into the search (plain mode): SASRec's item "
                          "distribution, spread over SID prefixes, weighted by --sasrec-weight"},
          o.sasrec_dir);
    visit(Field{"sasrec_ensemble",
                "another `baseline sasrec` run (repeatable): its item distribution is averaged with --sasrec's"},
          o.sasrec_ensemble);
    visit(Field{"sasrec_weight",
                "SASRec's weight in (0, 1): its share of the mixture (mean) or its exponent (product)"},
          o.sasrec_weight);
    visit(Field{"sasrec_mix",
                "how SASRec joins the models: mean (a mixture) or product (a weighted product of experts)"},
          o.sasrec_mix);
    visit(Field{"sasrec_temperature", "divides SASRec's item log-probabilities (averaged over --sasrec-ensemble "
                                      "runs) before mixing; > 1 flattens them"},
          o.sasrec_temperature);
    opts::data_fields(o.data_root, o.dataset, visit);
    visit(Field{"split", "train, valid or test"}, o.split);
    visit(Field{"mode", "plain (empty think block) or think (greedy thought, then beams)"}, o.mode);
    visit(Field{"prompt_style",
                "plain mode: reference (EvalSidDataset prompt) or training (the T1 training prompt)"},
          o.prompt_style);
    visit(Field{"style", "prompt style the model was trained with: reference, compact or sequence"}, o.style);
    visit(Field{"beams", "beams = SIDs returned per user"}, o.beams);
    visit(Field{"out", "output directory (predictions.json, metrics.json)", kRequired | kNotRecorded}, o.out_dir);
    visit(Field{"limit", "evaluate the first N rows (0 = all)"}, o.limit);
    visit(Field{"batch_size", "users per batched search"}, o.batch_size);
    visit(Field{"think_tokens", "think mode: thought budget in tokens"}, o.think_tokens);
    visit(Field{"think_decode",
                "think mode: reference (one greedy thought, then the beams), marginalised (--thoughts K "
                "thoughts, SID score = logsumexp over thoughts of log p(thought) + log p(SID | thought)) or "
                "oracle (the --narrative reasoning fed in as the thought; diagnosis only)"},
          o.think_decode);
    visit(Field{"thoughts", "marginalised: thoughts per user"}, o.thoughts);
    visit(Field{"thought_search",
                "marginalised: sample (K samples, duplicates merged) or beam (the K best by beam search)"},
          o.thought_search);
    visit(Field{"thought_temperature",
                "marginalised, sampled thoughts: sampling temperature (log p(thought) stays the model's own)"},
          o.thought_temperature);
    visit(Field{"think_pool_plain",
                "marginalised: weight w in [0, 1) of the plain-mode beams pooled in (the --prompt-style plain "
                "prompt): p = (1 - w) p_think + w p_plain; 0 = not pooled"},
          o.think_pool_plain);
    visit(Field{"narrative",
                "think mode: narrative CSV (history_item_sid, item_sid, reasoning_path) for the split: the "
                "oracle's thoughts, else the reference for the thought's word recall in metrics.json"},
          o.narrative);
    visit(Field{"beam_sampling",
                "reproduce HF beam sampling (the reference's generation_config leak) instead of beam search"},
          o.beam_sampling);
    visit(Field{"temperature", "beam sampling temperature"}, o.temperature);
    visit(Field{"top_k", "beam sampling top-k (0 = off)"}, o.top_k);
    visit(Field{"top_p", "beam sampling top-p"}, o.top_p);
    visit(Field{"seed", "beam sampling seed"}, o.seed);
    visit(Field{"with_scores", "add each prediction's beam log-prob (\"scores\")", kNotRecorded}, o.with_scores);
    visit(Field{"with_prompt_ids", "add the prompt token ids (\"prompt_ids\")", kNotRecorded}, o.with_prompt_ids);
    // --quiet: evaluate's older spelling, kept for the scripts and tests that use it.
    opts::progress_field(o.progress, visit, "--quiet");
    model::RuntimeOptions::fields(o.runtime, visit);
  }
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
