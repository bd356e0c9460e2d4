// `sidreasoner pipeline`: one run directory from a preset — tokenizer, model, Stage 1 SFT, evaluation on
// valid and test, the SASRec baselines, and a report. Stages whose output exists are skipped.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/runner.h"
#include "util/json.h"

namespace sidr::pipeline {

struct PipelineOptions {
  std::string preset = "quick";           // a name in configs/presets/ or a path to a preset JSON file
  std::filesystem::path out;              // run directory; default runs/<preset name>
  std::filesystem::path data = "data/Amazon";
  std::string dataset = "Industrial_and_Scientific";
  std::filesystem::path base_model;       // a local HF model directory (overrides the preset's)
  std::string from_stage;                 // redo this stage and what follows
  std::vector<std::string> overrides;     // "sft.epochs=2": JSON value (or plain string) at a dotted path
  bool dry_run = false;

  void validate() const;
};

// Finds and parses a preset (name or path); InputError naming the file on a bad preset.
Json load_preset(const std::string& name_or_path);

// Applies "a.b=value" overrides (value parsed as JSON, else taken as a string); InputError on a bad one.
void apply_overrides(Json& config, const std::vector<std::string>& overrides);

// The resolved configuration written to <run>/config.json: the preset plus the options.
Json resolve_config(const PipelineOptions& options, const Json& preset);

// The extra ensemble members' seeds of a configuration ("ensemble": {"seeds": [7, 3]}); empty without one.
// InputError on a malformed list or a seed that repeats a member's (stage 1 trains with sft.seed, default 42).
std::vector<std::uint64_t> ensemble_seeds(const Json& config);

// "eval": {"parts": ["lm", "single"]}: which parts of the decoded whole are also evaluated alone on test, for
// the report: "lm" the language model(s) without SASRec (with a fusion), "single" stage 1's model alone (with
// an ensemble). Both by default. InputError on anything but a list of those names.
std::vector<std::string> eval_parts(const Json& config);

// "eval": {"splits": ["valid", "test"]}: the splits evaluated (the default those two). InputError on anything but
// a list of distinct split names.
std::vector<std::string> eval_splits(const Json& config);

// "fusion": {"sasrec": "ce", "weight": 0.3, "mix": "product", "temperature": 1}: every evaluation mixes the
// named SASRec run of the config's "sasrec" section into the search (evaluate --sasrec) with that weight, mixing
// (mean or product, default mean) and temperature (default 1). nullopt without one; InputError on a malformed
// one, an unknown SASRec run, a weight outside (0, 1), an unknown mix or a temperature that is not positive.
struct FusionOptions {
  std::string sasrec;  // key in config["sasrec"]: the run directory is sasrec_<key>
  double weight = 0.3;
  std::string mix = "mean";
  double temperature = 1.0;
};
std::optional<FusionOptions> fusion_options(const Json& config);

// The stages of a resolved configuration, in order.
std::vector<Stage> build_stages(const Json& config, const std::filesystem::path& run_dir);

// Everything: resolve, write config.json, run the stages, write the report, print the results table.
void run_pipeline(const PipelineOptions& options);

}  // namespace sidr::pipeline
