#include "pipeline/pipeline.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "eval/fusion_settings.h"
#include "pipeline/report.h"
#include "util/error.h"
#include "util/file_io.h"
#include "util/output_dir.h"

namespace sidr::pipeline {
namespace fs = std::filesystem;

void PipelineOptions::validate() const {
  if (preset.empty()) throw InputError("--preset must name a preset (quick, cpu, qwen3-1.7b) or a JSON file");
  if (!fs::is_directory(data)) throw InputError(fmt::format("--data: {} is not a directory", data.string()));
  if (!base_model.empty() && !fs::exists(base_model / "config.json"))
    throw InputError(fmt::format("--base-model: {} has no config.json (expected a Hugging Face model directory)",
                                 base_model.string()));
}

Json load_preset(const std::string& name_or_path) {
  std::vector<fs::path> candidates;
  bool is_path = name_or_path.find('/') != std::string::npos ||
                 (name_or_path.size() > 5 && name_or_path.compare(name_or_path.size() - 5, 5, ".json") == 0);
  if (is_path) {
    candidates.push_back(name_or_path);
  } else {
    candidates.push_back(fs::path("configs/presets") / (name_or_path + ".json"));
    candidates.push_back(fs::path(SIDR_SOURCE_DIR) / "configs/presets" / (name_or_path + ".json"));
  }
  for (const auto& path : candidates) {
    if (!fs::exists(path)) continue;
    Json preset = read_json_file(path);
    if (!preset.is_object()) throw InputError(path.string() + ": a preset must be a JSON object");
    for (const char* key : {"tokenizer", "model", "sft", "eval"})
      if (!preset.contains(key) || !preset[key].is_object())
        throw_input_error({path.string(), 0, 0, key}, "missing or not an object");
    preset["preset_file"] = fs::absolute(path).string();
    return preset;
  }
  throw InputError(fmt::format("preset '{}' not found (looked in configs/presets/ and {}/configs/presets/)",
                               name_or_path, SIDR_SOURCE_DIR));
}

void apply_overrides(Json& config, const std::vector<std::string>& overrides) {
  for (const auto& item : overrides) {
    auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0)
      throw InputError(fmt::format("--set '{}': expected KEY=VALUE, e.g. sft.epochs=2", item));
    std::string path = item.substr(0, eq), text = item.substr(eq + 1);
    Json value;
    try {
      value = Json::parse(text);
    } catch (const nlohmann::json::parse_error&) {
      value = text;  // a bare word is a string
    }
    Json* node = &config;
    std::size_t start = 0;
    while (true) {
      auto dot = path.find('.', start);
      std::string key = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
      if (key.empty()) throw InputError(fmt::format("--set '{}': empty key in '{}'", item, path));
      if (node->is_null()) *node = Json::object();  // a new section (an unknown one is refused by name later)
      if (!node->is_object()) throw InputError(fmt::format("--set '{}': '{}' is not an object", item, key));
      if (dot == std::string::npos) {
        (*node)[key] = value;
        break;
      }
      node = &(*node)[key];
      start = dot + 1;
    }
  }
}

namespace {

// The keys a configuration may hold at the top level and in "model" (everything else in the stage sections is a
// command-line flag, which `--check-args` checks). An unknown key is most likely a typo that would otherwise be
// ignored: refused, naming the preset file or the --set that brought it.
bool known_top_level_key(const std::string& key) {
  static const std::vector<std::string> known = {
      "name", "description", "tokenizer", "model", "sft", "ensemble", "eval", "eval_train", "eval_valid",
      "eval_test", "sasrec", "fusion", "synthesize", "stage2", "eval_modes", "rl", "preset_file", "data", "dataset"};
  return std::find(known.begin(), known.end(), key) != known.end();
}

void check_known_keys(const Json& config, const Json& preset, const std::vector<std::string>& overrides) {
  auto source = [&](const std::string& dotted) {
    for (const auto& item : overrides)
      if (item.rfind(dotted + "=", 0) == 0 || item.rfind(dotted + ".", 0) == 0) return "--set '" + item + "'";
    return preset.value("preset_file", std::string("preset")) + ": field '" + dotted + "'";
  };
  for (auto it = config.begin(); it != config.end(); ++it)
    if (!known_top_level_key(it.key()))
      throw InputError(fmt::format("{}: unknown key '{}' (known: name, description, tokenizer, model, sft, ensemble, "
                                   "eval, eval_<split>, eval_modes, sasrec, fusion, synthesize, stage2, rl)",
                                   source(it.key()), it.key()));
  if (config.contains("model") && config["model"].is_object())
    for (auto it = config["model"].begin(); it != config["model"].end(); ++it)
      if (it.key() != "config" && it.key() != "base_model")
        throw InputError(fmt::format("{}: unknown key 'model.{}' (known: model.config, model.base_model)",
                                     source("model." + it.key()), it.key()));
  for (const char* section : {"tokenizer", "model", "sft", "eval", "eval_train", "eval_valid", "eval_test", "sasrec",
                              "synthesize", "stage2", "eval_modes", "rl"})
    if (config.contains(section) && !config[section].is_object())
      throw InputError(fmt::format("{}: '{}' must be an object", source(section), section));
  if (config.contains("model") && config["model"].contains("config") && !config["model"]["config"].is_string())
    throw InputError(fmt::format("{}: 'model.config' must be a file name", source("model.config")));
  if (config.contains("model") && config["model"].contains("base_model") &&
      !config["model"]["base_model"].is_string())
    throw InputError(fmt::format("{}: 'model.base_model' must be a directory name", source("model.base_model")));
}

}  // namespace

Json resolve_config(const PipelineOptions& options, const Json& preset) {
  Json config = preset;
  apply_overrides(config, options.overrides);
  check_known_keys(config, preset, options.overrides);
  config["data"] = fs::absolute(options.data).string();
  config["dataset"] = options.dataset;
  if (!options.base_model.empty()) config["model"] = {{"base_model", fs::absolute(options.base_model).string()}};
  if (config["model"].contains("base_model") && config["model"]["base_model"].get<std::string>().empty())
    throw InputError(fmt::format("preset '{}' needs a local base model: pass --base-model DIR (a Hugging Face "
                                 "directory with config.json, model.safetensors and tokenizer.json)",
                                 config.value("name", options.preset)));
  if (config["model"].contains("config")) {
    fs::path model_config = config["model"]["config"].get<std::string>();
    if (!fs::exists(model_config) && fs::exists(fs::path(SIDR_SOURCE_DIR) / model_config))
      model_config = fs::path(SIDR_SOURCE_DIR) / model_config;
    config["model"]["config"] = fs::absolute(model_config).string();
  }
  return config;
}

namespace {

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace

std::vector<std::uint64_t> ensemble_seeds(const Json& config) {
  std::vector<std::uint64_t> seeds;
  if (!config.contains("ensemble")) return seeds;
  const Json& ensemble = config["ensemble"];
  const std::uint64_t first = config["sft"].value("seed", std::uint64_t{42});
  if (!ensemble.is_object() || !ensemble.contains("seeds") || !ensemble["seeds"].is_array())
    throw InputError("config 'ensemble': expected {\"seeds\": [N, ...]} (the extra members' seeds)");
  for (const auto& seed : ensemble["seeds"]) {
    if (!seed.is_number_unsigned())
      throw InputError(fmt::format("config 'ensemble.seeds': {} is not a non-negative integer", seed.dump()));
    auto value = seed.get<std::uint64_t>();
    if (value == first || std::find(seeds.begin(), seeds.end(), value) != seeds.end())
      throw InputError(fmt::format("config 'ensemble.seeds': seed {} repeats a member's seed (stage 1 uses {})",
                                   value, first));
    seeds.push_back(value);
  }
  return seeds;
}

std::vector<std::string> eval_parts(const Json& config) {
  if (!config.contains("eval") || !config["eval"].contains("parts")) return {"lm", "single"};
  const Json& parts = config["eval"]["parts"];
  auto malformed = [&] {
    return InputError(fmt::format("config 'eval.parts': expected a list of \"lm\" and \"single\", got {}", parts.dump()));
  };
  if (!parts.is_array()) throw malformed();
  std::vector<std::string> out;
  for (const auto& part : parts) {
    if (!part.is_string() || (part != "lm" && part != "single")) throw malformed();
    out.push_back(part.get<std::string>());
  }
  return out;
}

std::vector<std::string> eval_splits(const Json& config) {
  if (!config.contains("eval") || !config["eval"].contains("splits")) return {"valid", "test"};
  const Json& splits = config["eval"]["splits"];
  auto malformed = [&] {
    return InputError(fmt::format(
        "config 'eval.splits': expected a list of \"train\", \"valid\" and \"test\" (each once), got {}",
        splits.dump()));
  };
  if (!splits.is_array()) throw malformed();
  std::vector<std::string> out;
  for (const auto& split : splits) {
    if (!split.is_string() || (split != "train" && split != "valid" && split != "test")) throw malformed();
    if (std::find(out.begin(), out.end(), split.get<std::string>()) != out.end()) throw malformed();
    out.push_back(split.get<std::string>());
  }
  return out;
}

std::optional<FusionOptions> fusion_options(const Json& config) {
  if (!config.contains("fusion")) return std::nullopt;
  const Json& fusion = config["fusion"];
  if (!fusion.is_object() || !fusion.contains("sasrec") || !fusion["sasrec"].is_string() ||
      !fusion.contains("weight") || !fusion["weight"].is_number())
    throw InputError("config 'fusion': expected {\"sasrec\": \"ce\" or \"bce\", \"weight\": W}");
  FusionOptions out{fusion["sasrec"].get<std::string>(), fusion["weight"].get<double>()};
  if (!config.contains("sasrec") || !config["sasrec"].is_object() || !config["sasrec"].contains(out.sasrec))
    throw InputError(fmt::format("config 'fusion.sasrec': \"{}\" is not one of the config's 'sasrec' runs",
                                 out.sasrec));
  if (fusion.contains("mix")) out.mix = fusion["mix"].is_string() ? fusion["mix"].get<std::string>() : fusion["mix"].dump();
  if (fusion.contains("temperature")) {
    if (!fusion["temperature"].is_number())
      throw InputError(fmt::format("config 'fusion.temperature' must be a positive number, got {}",
                                   fusion["temperature"].dump()));
    out.temperature = fusion["temperature"].get<double>();
  }
  // The values are checked where evaluate checks its --sasrec-* flags.
  eval::FusionSettings{out.weight, out.mix, out.temperature}.validate(
      [](const std::string& field) { return "config 'fusion." + field + "'"; });
  return out;
}

std::vector<Stage> build_stages(const Json& config, const fs::path& run_dir) {
  const std::string data = config["data"].get<std::string>();
  const std::string dataset = config["dataset"].get<std::string>();
  const std::string run = run_dir.string();
  const std::vector<std::string> data_flags = {"--data", data, "--dataset", dataset};
  const Json& model = config["model"];
  const bool pretrained = model.contains("base_model");
  std::vector<Stage> stages;

  // Data check: fail early and clearly on a bad dataset.
  stages.push_back({"data_check", "data_check.done",
                    {concat({"data", "check"}, data_flags), {"internal", "touch", run + "/data_check.done"}}});

  // Enriched corpus (the reasoning preset): "synthesize": {flags} writes <run>/corpus/index/<Cat>.* — the item
  // paragraphs (T6), the train rows' reasoning and narratives (T7, Stage 2) and, for the evaluation splits,
  // the rows' reasoning (think mode's oracle and its word recall). Every later stage reads those files.
  std::vector<std::string> corpus_flags;  // tasks corpus / Stage 1: T6 and T7 from the run's corpus
  std::vector<std::string> user_corpus_flag;
  std::map<std::string, std::string> split_narrative;  // split -> the reasoning of its rows
  if (config.contains("synthesize")) {
    const std::string corpus = run + "/corpus";
    const std::string index = corpus + "/index/" + dataset;
    std::vector<std::vector<std::string>> commands = {
        concat(concat({"synthesize"}, data_flags), concat({"--out", corpus}, flags_from_json(config["synthesize"])))};
    for (const std::string split : {"valid", "test"}) {
      commands.push_back(concat(concat({"synthesize"}, data_flags),
                                concat({"--out", corpus, "--split", split},
                                       flags_from_json(config["synthesize"], {"max_rows"}))));
      split_narrative[split] = index + "." + split + ".integrated_narrative.csv";
    }
    stages.push_back({"synthesize", "corpus/index/" + dataset + ".test.integrated_narrative.csv", commands});
    user_corpus_flag = {"--user-corpus", index + ".integrated_narrative.csv"};
    corpus_flags = concat({"--item-corpus", index + ".item_enhanced_v2.json"}, user_corpus_flag);
  }

  // Tokenizer: the base model's own, or a byte-level BPE trained on the catalog text and the task prompts.
  // Stage 1 SFT adds the SID tokens (the reference's order) either way.
  const std::string style = config["sft"].value("style", std::string("reference"));
  std::string tokenizer = run + "/tokenizer/tokenizer.json";
  std::string init;
  if (pretrained) {
    init = model["base_model"].get<std::string>();
    tokenizer = init + "/tokenizer.json";
  } else {
    init = model["config"].get<std::string>();  // sft initialises a model from a config file
    stages.push_back({"tokenizer",
                      "tokenizer/tokenizer.json",
                      {concat({"tasks", "corpus"}, concat(concat(data_flags, corpus_flags),
                                                          {"--style", style, "--out", run + "/tokenizer_corpus.txt"})),
                       concat({"tokenizer", "train", "--corpus", run + "/tokenizer_corpus.txt", "--out",
                               run + "/tokenizer"},
                              flags_from_json(config["tokenizer"], {"source"}))}});
  }

  stages.push_back({"stage1",
                    "stage1/final_checkpoint/config.json",
                    {concat(concat({"sft", "--stage", "1"}, data_flags),
                            concat(concat({"--model", init, "--tokenizer", tokenizer, "--out", run + "/stage1"},
                                          corpus_flags),
                                   flags_from_json(config["sft"])))},
                    /*resumable=*/true});

  // Stage 2, reasoning activation: "stage2": {sft flags} continues from Stage 1's model on the narrative's
  // reasoning paths; every evaluation then decodes Stage 2's model.
  std::string eval_model = run + "/stage1/final_checkpoint";
  if (config.contains("stage2")) {
    if (!config["stage2"].is_object()) throw InputError("config 'stage2': expected an object of sft flags");
    if (user_corpus_flag.empty() && !config["stage2"].contains("user_corpus"))
      throw InputError("config 'stage2' needs a narrative: add a 'synthesize' section or 'stage2.user_corpus'");
    stages.push_back({"stage2",
                      "stage2/final_checkpoint/config.json",
                      {concat(concat({"sft", "--stage", "2"}, data_flags),
                              concat(concat({"--model", eval_model, "--out", run + "/stage2"}, user_corpus_flag),
                                     flags_from_json(config["stage2"])))},
                      /*resumable=*/true});
    eval_model = run + "/stage2/final_checkpoint";
  }

  // Ensemble members: Stage 1 again with other seeds; every evaluation decodes them together with stage1.
  std::vector<std::string> member_flags;
  for (std::uint64_t seed : ensemble_seeds(config)) {
    const std::string name = fmt::format("stage1_seed{}", seed);
    stages.push_back({name,
                      name + "/final_checkpoint/config.json",
                      {concat(concat({"sft", "--stage", "1"}, data_flags),
                              concat({"--model", init, "--tokenizer", tokenizer, "--out", run + "/" + name, "--seed",
                                      std::to_string(seed)},
                                     flags_from_json(config["sft"], {"seed"})))},
                      /*resumable=*/true});
    member_flags.push_back("--ensemble");
    member_flags.push_back(run + "/" + name + "/final_checkpoint");
  }

  // SASRec baselines before the evaluations: a "fusion" config mixes one of them into every search.
  if (config.contains("sasrec") && config["sasrec"].is_object()) {
    for (auto it = config["sasrec"].begin(); it != config["sasrec"].end(); ++it) {
      std::string name = "sasrec_" + it.key();
      stages.push_back({name,
                        name + "/metrics.json",
                        {concat(concat({"baseline", "sasrec"}, data_flags),
                                concat({"--loss", it.key(), "--out", run + "/" + name}, flags_from_json(*it)))}});
    }
  }
  std::vector<std::string> fusion_flags;
  if (auto fusion = fusion_options(config))
    fusion_flags = {"--sasrec",     run + "/sasrec_" + fusion->sasrec, "--sasrec-weight",
                    fmt::format("{}", fusion->weight), "--sasrec-mix", fusion->mix, "--sasrec-temperature",
                    fmt::format("{}", fusion->temperature)};

  // Stage 3, GRPO: "rl": {rl flags, "algo": "sidreasoner" or "minionerec"} continues from the last model; every
  // evaluation then decodes the RL model, and plain mode before RL is evaluated beside it (eval_<split>_before_rl).
  std::string before_rl;
  if (config.contains("rl")) {
    if (!config["rl"].is_object()) throw InputError("config 'rl': expected an object of rl flags");
    stages.push_back({"rl",
                      "rl/final_checkpoint/config.json",
                      {concat(concat({"rl"}, data_flags),
                              concat({"--model", eval_model, "--out", run + "/rl"}, flags_from_json(config["rl"])))},
                      /*resumable=*/true});
    before_rl = eval_model;
    eval_model = run + "/rl/final_checkpoint";
  }

  const std::vector<std::string> splits = eval_splits(config);
  // One evaluation stage: the last stage's model (with `extra`: ensemble members, SASRec) on a split, with the
  // flags of "eval", then "eval_<split>" (e.g. a smaller valid run), then a decoding mode's.
  auto add_eval = [&](const std::string& name, const std::string& split, const std::vector<std::string>& extra,
                      const Json& mode_flags = Json::object(), const std::string& model = "") {
    Json eval_flags = config["eval"];
    if (config.contains("eval_" + split)) eval_flags.update(config["eval_" + split]);
    eval_flags.update(mode_flags);
    std::vector<std::string> narrative;
    if (eval_flags.value("mode", std::string("plain")) == "think" && split_narrative.count(split))
      narrative = {"--narrative", split_narrative[split]};
    stages.push_back({name,
                      name + "/metrics.json",
                      {concat(concat({"evaluate", "--model", model.empty() ? eval_model : model}, data_flags),
                              concat(concat(concat({"--split", split, "--out", run + "/" + name}, extra), narrative),
                                     flags_from_json(eval_flags, {"splits", "parts"})))}});
  };
  // "eval_modes": {"think": {"mode": "think", ...}, ...}: each split is also decoded in each named mode, as
  // eval_<split>_<name> (after the plain eval_<split>).
  const Json modes = config.contains("eval_modes") ? config["eval_modes"] : Json::object();
  if (!modes.is_object()) throw InputError("config 'eval_modes': expected {\"name\": {evaluate flags}, ...}");
  for (auto it = modes.begin(); it != modes.end(); ++it) {
    if (!it->is_object())
      throw InputError(fmt::format("config 'eval_modes.{}': expected an object of evaluate flags", it.key()));
    if (it.key().empty() || it.key().find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos)
      throw InputError(fmt::format("config 'eval_modes': '{}' is not a name of [a-z0-9_]", it.key()));
    if (it.key() == "lm" || it.key() == "single" || it.key() == "before_rl")
      throw InputError(fmt::format("config 'eval_modes': '{}' is taken by eval.parts", it.key()));
  }
  for (const auto& split : splits) {
    add_eval("eval_" + split, split, concat(member_flags, fusion_flags));
    for (auto it = modes.begin(); it != modes.end(); ++it)
      add_eval("eval_" + split + "_" + it.key(), split, concat(member_flags, fusion_flags), *it);
    if (!before_rl.empty()) add_eval("eval_" + split + "_before_rl", split, concat(member_flags, fusion_flags),
                                     Json::object(), before_rl);
  }
  // The parts alone on test, beside the whole (those eval.parts names): the language model(s) without SASRec
  // ("lm"), one model alone ("single").
  const auto parts = eval_parts(config);
  auto wanted = [&](const char* part) { return std::find(parts.begin(), parts.end(), part) != parts.end(); };
  if (std::find(splits.begin(), splits.end(), "test") != splits.end()) {
    if (!fusion_flags.empty() && wanted("lm")) add_eval("eval_test_lm", "test", member_flags);
    if (!member_flags.empty() && wanted("single")) add_eval("eval_test_single", "test", {});
  }
  return stages;
}

void run_pipeline(const PipelineOptions& options) {
  options.validate();
  Json preset = load_preset(options.preset);
  Json config;
  fs::path run_dir;
  std::vector<Stage> stages;
  try {
    config = resolve_config(options, preset);
    run_dir = options.out.empty() ? fs::path("runs") / config.value("name", options.preset) : options.out;
    stages = build_stages(config, run_dir);
  } catch (const nlohmann::json::exception& e) {
    // A value of the wrong type where no check names it: the preset file (and the overrides) at least.
    throw InputError(fmt::format("{}{}: a value has the wrong type: {}", preset.value("preset_file", options.preset),
                                 options.overrides.empty() ? "" : " with its --set overrides", e.what()));
  }
  const RunnerOptions runner{run_dir, options.from_stage, options.dry_run};
  if (!options.dry_run) check_output_directory(run_dir, "--out");
  check_stages(stages, runner);
  if (!options.dry_run) {
    fs::create_directories(run_dir);
    write_file_atomic(run_dir / "config.json", config.dump(2) + "\n");
  }
  run_stages(stages, runner);
  if (options.dry_run) return;
  write_report(run_dir, config["dataset"].get<std::string>());
  fmt::print("{}", format_results_table(collect_results(run_dir, config["dataset"].get<std::string>())));
  fmt::print("report: {}/report.md, {}/report.html\n", run_dir.string(), run_dir.string());
}

}  // namespace sidr::pipeline
