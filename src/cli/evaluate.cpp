// `sidreasoner evaluate`: constrained beam-search evaluation of a checkpoint (plain or thinking mode).
#include <fmt/format.h>

#include "cli/command.h"
#include "cli/model_options.h"
#include "eval/evaluate.h"

namespace sidr::cli {
namespace {

void setup(CLI::App& root) {
  auto o = std::make_shared<eval::EvaluateOptions>();
  auto* cmd = root.add_subcommand(
      "evaluate", "Recommend by trie-constrained beam search; write predictions.json and metrics.json");
  cmd->add_option("--model", o->model_dir, "checkpoint directory with tokenizer.json")->required();
  cmd->add_option("--ensemble", o->ensemble,
                  "another checkpoint decoded together with --model (repeatable): the members' "
                  "next-token distributions combined by --ensemble-mix; members share the tokenizer");
  cmd->add_option("--ensemble-mix", o->ensemble_mix,
                  "how the --ensemble members combine: mean (a mixture) or product (a product of experts)")
      ->capture_default_str();
  cmd->add_option("--sasrec", o->sasrec_dir,
                  "a `baseline sasrec` run directory mixed into the search (plain mode): SASRec's item "
                  "distribution, spread over SID prefixes, weighted by --sasrec-weight");
  cmd->add_option("--sasrec-ensemble", o->sasrec_ensemble,
                  "another `baseline sasrec` run (repeatable): its item distribution is averaged with --sasrec's");
  cmd->add_option("--sasrec-weight", o->sasrec_weight,
                  "SASRec's weight in (0, 1): its share of the mixture (mean) or its exponent (product)")
      ->capture_default_str();
  cmd->add_option("--sasrec-mix", o->sasrec_mix,
                  "how SASRec joins the models: mean (a mixture) or product (a weighted product of experts)")
      ->capture_default_str();
  cmd->add_option("--sasrec-temperature", o->sasrec_temperature,
                  "divides SASRec's item log-probabilities (averaged over --sasrec-ensemble runs) before mixing; "
                  "> 1 flattens them")
      ->capture_default_str();
  cmd->add_option("--data", o->data_root, "dataset root, e.g. data/Amazon")->required();
  cmd->add_option("--dataset", o->dataset, "dataset name, e.g. Industrial_and_Scientific")->required();
  cmd->add_option("--split", o->split, "train, valid or test")->capture_default_str();
  cmd->add_option("--mode", o->mode, "plain (empty think block) or think (greedy thought, then beams)")
      ->capture_default_str();
  cmd->add_option("--prompt-style", o->prompt_style,
                  "plain mode: reference (EvalSidDataset prompt) or training (the T1 training prompt)")
      ->capture_default_str();
  cmd->add_option("--style", o->style, "prompt style the model was trained with: reference, compact or sequence")
      ->capture_default_str();
  cmd->add_option("--beams", o->beams, "beams = SIDs returned per user")->capture_default_str();
  cmd->add_option("--out", o->out_dir, "output directory (predictions.json, metrics.json)")->required();
  cmd->add_option("--limit", o->limit, "evaluate the first N rows (0 = all)")
      ->capture_default_str()
      ->check(CLI::Validator(  // std::size_t would take -1 as 2^64-1
          [](std::string& value) {
            return !value.empty() && value[0] == '-' ? "must not be negative (0 = all), got " + value : std::string();
          },
          "N >= 0"));
  cmd->add_option("--batch-size", o->batch_size, "users per batched search")->capture_default_str();
  cmd->add_option("--think-tokens", o->think_tokens, "think mode: thought budget in tokens")->capture_default_str();
  cmd->add_option("--think-decode", o->think_decode,
                  "think mode: reference (one greedy thought, then the beams), marginalised (--thoughts K "
                  "thoughts, SID score = logsumexp over thoughts of log p(thought) + log p(SID | thought)) or "
                  "oracle (the --narrative reasoning fed in as the thought; diagnosis only)")
      ->capture_default_str();
  cmd->add_option("--thoughts", o->thoughts, "marginalised: thoughts per user")->capture_default_str();
  cmd->add_option("--thought-search", o->thought_search,
                  "marginalised: sample (K samples, duplicates merged) or beam (the K best by beam search)")
      ->capture_default_str();
  cmd->add_option("--thought-temperature", o->thought_temperature,
                  "marginalised, sampled thoughts: sampling temperature (log p(thought) stays the model's own)")
      ->capture_default_str();
  cmd->add_option("--think-pool-plain", o->think_pool_plain,
                  "marginalised: weight w in [0, 1) of the plain-mode beams pooled in (the --prompt-style plain "
                  "prompt): p = (1 - w) p_think + w p_plain; 0 = not pooled")
      ->capture_default_str();
  cmd->add_option("--narrative", o->narrative,
                  "think mode: narrative CSV (history_item_sid, item_sid, reasoning_path) for the split: the "
                  "oracle's thoughts, else the reference for the thought's word recall in metrics.json");
  cmd->add_flag("--beam-sampling", o->beam_sampling,
                "reproduce HF beam sampling (the reference's generation_config leak) instead of beam search");
  cmd->add_option("--temperature", o->temperature, "beam sampling temperature")->capture_default_str();
  cmd->add_option("--top-k", o->top_k, "beam sampling top-k (0 = off)")->capture_default_str();
  cmd->add_option("--top-p", o->top_p, "beam sampling top-p")->capture_default_str();
  cmd->add_option("--seed", o->seed, "beam sampling seed")->capture_default_str();
  cmd->add_flag("--with-scores", o->with_scores, "add each prediction's beam log-prob (\"scores\")");
  cmd->add_flag("--with-prompt-ids", o->with_prompt_ids, "add the prompt token ids (\"prompt_ids\")");
  cmd->add_flag("--quiet", o->quiet, "no progress bar");
  add_runtime_options(cmd, o->runtime);
  cmd->callback([o] {
    auto result = eval::run_evaluation(*o);
    fmt::print("{}\n", result.metrics_json.dump(2));
  });
}

}  // namespace
SIDR_COMMAND(60, setup);
}  // namespace sidr::cli
