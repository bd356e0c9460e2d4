// `sidreasoner synthesize`: the enriched corpus (item paragraphs, reasoning paths, narratives) for a dataset,
// offline or through an OpenAI-compatible teacher (src/synth).
#include <memory>

#include <fmt/format.h>

#include "synth/synthesizer.h"

#include "cli/command.h"
#include "cli/option_fields.h"

namespace sidr::cli {
namespace {

void setup(CLI::App& root) {
  auto o = std::make_shared<synth::SynthOptions>();
  auto out = std::make_shared<std::string>();
  auto* cmd = root.add_subcommand(
      "synthesize", "Write index/<Cat>.item_enhanced_v2.json and index/<Cat>.integrated_narrative.csv under --out");
  add_data_options(cmd, o->data, o->dataset);
  cmd->add_option("--out", *out, "Output root (the files go to <out>/index/; --out = --data puts them where "
                                 "`tasks` and `sft` look by default)")
      ->required();
  cmd->add_option("--seed", o->seed, "Seed of the template choices")->capture_default_str();
  cmd->add_option("--max-rows", o->max_rows, "Narrative rows: the first N rows of the split (0 = all)")
      ->capture_default_str();
  cmd->add_option("--split", o->split,
                  "train (the training corpus and item paragraphs), or valid / test (only "
                  "<Cat>.<split>.integrated_narrative.csv, for think mode's oracle and word recall)")
      ->capture_default_str();
  cmd->add_option("--teacher-url", o->teacher.url,
                  "OpenAI-compatible server (http[s]://host:port); /v1/chat/completions is appended. Empty: offline");
  cmd->add_option("--teacher-model", o->teacher.model, "The request's model name")->capture_default_str();
  cmd->add_option("--teacher-concurrency", o->teacher.concurrency, "Requests in flight at most")->capture_default_str();
  cmd->add_option("--teacher-timeout", o->teacher.timeout_s, "Connect/read timeout per request, seconds")
      ->capture_default_str();
  cmd->add_option("--teacher-retries", o->teacher.retries, "Further attempts after a failed or leaking reply")
      ->capture_default_str();
  cmd->add_option("--teacher-backoff", o->teacher.backoff_s, "Seconds before the first retry (doubled after each)")
      ->capture_default_str();
  cmd->add_option("--teacher-temperature", o->teacher.temperature, "Sampling temperature")->capture_default_str();
  cmd->add_option("--teacher-max-tokens", o->teacher.max_tokens, "max_tokens of each request")->capture_default_str();
  cmd->add_option("--teacher-cache", o->teacher.cache,
                  "JSONL cache of accepted replies (default <out>/index/<Cat>.teacher_cache.jsonl)");
  cmd->add_option("--teacher-api-key-env", o->teacher.api_key_env,
                  "Environment variable holding the bearer token (sent only when set)")
      ->capture_default_str();
  add_progress_flag(cmd, o->progress);
  cmd->callback([o, out] {
    o->out = *out;
    const auto summary = synth::synthesize(*o);
    fmt::print("{}", synth::format_summary(summary));
  });
}

}  // namespace
SIDR_COMMAND(15, setup);
}  // namespace sidr::cli
