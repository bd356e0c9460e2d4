#include "train/sft.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "data/catalog.h"
#include "data/dataset.h"
#include "model/checkpoint.h"
#include "model/config.h"
#include "model/runtime.h"
#include "tasks/task_mix.h"
#include "text/tokenizer.h"
#include "train/augment.h"
#include "train/distributed.h"
#include "train/qwen3_lm.h"
#include "train/schedule.h"
#include "train/trainer.h"
#include "util/error.h"
#include "util/file_io.h"
#include "util/output_dir.h"

namespace sidr::train {
namespace fs = std::filesystem;

namespace {

[[noreturn]] void bad_option(const char* option, const std::string& message) {
  throw InputError(fmt::format("option --{}: {}", option, message));
}

std::string first_line(const c10::Error& error) {
  std::string message = error.what_without_backtrace();
  return message.substr(0, message.find('\n'));
}

bool model_is_config(const fs::path& model) { return fs::is_regular_file(model); }

fs::path model_config_path(const fs::path& model) {
  return model_is_config(model) ? model : model / "config.json";
}

std::int64_t available_memory_bytes() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  std::int64_t value = 0;
  std::string unit;
  while (in >> key >> value >> unit)
    if (key == "MemAvailable:") return value * 1024;
  return 0;
}

std::vector<Sample> to_train_samples(std::vector<tasks::Sample>&& samples, std::int64_t limit) {
  std::vector<Sample> out;
  std::size_t n = limit > 0 ? std::min(samples.size(), static_cast<std::size_t>(limit)) : samples.size();
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i)
    out.push_back(Sample{std::move(samples[i].input_ids), std::move(samples[i].labels)});
  return out;
}

void write_samples_jsonl(const std::vector<Sample>& samples, const fs::path& path) {
  std::string text;
  for (const auto& sample : samples) {
    Json line;
    line["input_ids"] = sample.input_ids;
    line["labels"] = sample.labels;
    text += line.dump() + "\n";
  }
  write_file_atomic(path, text);
}

}  // namespace

void SftOptions::resolve_stage_defaults() {
  if (epochs == 0) epochs = stage == 1 ? 10 : 5;
  if (lr == 0.0) lr = stage == 1 ? 3e-4 : 1e-5;
  if (warmup < 0) warmup = stage == 1 ? 20 : 10;
  if (patience < 0) patience = stage == 1 ? 3 : 5;
}

void SftOptions::validate() const {
  if (stage != 1 && stage != 2) bad_option("stage", "must be 1 or 2");
  if (!fs::is_directory(data)) bad_option("data", data.string() + " is not a directory");
  if (dataset.empty()) bad_option("dataset", "a dataset name is required");
  if (model.empty()) bad_option("model", "a model directory or model config is required");
  if (!fs::exists(model)) bad_option("model", model.string() + " does not exist");
  if (!model_is_config(model) && !fs::exists(model / "config.json"))
    bad_option("model", model.string() + " has no config.json (give an HF checkpoint directory or a config file)");
  if (model_is_config(model) && tokenizer.empty())
    bad_option("tokenizer", "training from a model config needs a tokenizer.json");
  if (tokenizer.empty() && !model_is_config(model) && !fs::exists(model / "tokenizer.json"))
    bad_option("tokenizer", model.string() + " has no tokenizer.json; give one with --tokenizer");
  if (!tokenizer.empty() && !fs::is_regular_file(tokenizer))
    bad_option("tokenizer", tokenizer.string() + " is not a file");
  if (out.empty()) bad_option("out", "an output directory is required");
  if (epochs < 1) bad_option("epochs", "must be at least 1");
  if (batch < 1) bad_option("batch", "must be at least 1");
  if (micro_batch < 1 || micro_batch > batch) bad_option("micro-batch", "must be in [1, --batch]");
  if (cutoff < 8) bad_option("cutoff", "must be at least 8 tokens");
  if (!(max_minutes >= 0)) bad_option("max-minutes", "must not be negative (0: no time budget)");
  if (max_samples < 0) bad_option("max-samples", "must not be negative");
  if (max_eval_samples < 0) bad_option("max-eval-samples", "must not be negative");
  if (threads < 0) bad_option("threads", "must not be negative");
  if (nproc < 0 || nproc > 256) bad_option("nproc", "must be in [0, 256]");
  parse_schedule_kind(schedule);
  tasks::parse_prompt_style(style);
  if (!weights.empty()) tasks::parse_weights(weights);
  if (!std::isfinite(plain_weight) || plain_weight < 0) bad_option("plain-weight", "must be a finite number >= 0");
  if (plain_weight > 0 && stage != 2)
    bad_option("plain-weight", "adds plain T1 samples to Stage 2: it needs --stage 2 (Stage 1 has --weights T1=W)");
  if (AugmentOptions::parse(augment).enabled() &&
      (stage != 1 || tasks::parse_prompt_style(style) != tasks::PromptStyle::Sequence))
    bad_option("augment", "augments sequence-style samples: it needs --stage 1 and --style sequence");
  if (!(ema >= 0.0 && ema < 1.0)) bad_option("ema", "must be in [0, 1) (0: off)");
  model::RuntimeOptions runtime{device, dtype, threads};
  runtime.validate();
}

Json SftOptions::to_json() const { return opts::fields_to_json(*this); }

int auto_local_ranks(const SftOptions& options) {
  if (options.device != "cpu") return 1;
  int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (cores == 1) return 1;
  auto config = model::ModelConfig::load(model_config_path(options.model));
  std::int64_t vocab = config.vocab_size;
  std::int64_t parameters = config.non_embedding_parameters() + vocab * config.hidden_size *
                                                                     (config.tie_word_embeddings ? 1 : 2);
  // fp32 weights, gradients and two AdamW moments per replica.
  std::int64_t per_rank = parameters * 16;
  return per_rank * cores * 2 < available_memory_bytes() ? cores : 1;
}

int run_sft(SftOptions options) {
  options.resolve_stage_defaults();
  options.validate();
  check_output_directory(options.out, "--out");  // before any work
  auto distributed_env = DistributedEnv::from_environment();
  distributed_env.on_gpu = options.device.rfind("cuda", 0) == 0;
  Distributed distributed(distributed_env);
  const bool main = distributed.is_main();
  auto say = [&](const std::string& line) {
    if (main) fmt::print(stderr, "{}\n", line);
  };

  // One intra-op thread per core: on a small CPU model several ranks beat several threads (docs/train.md).
  int local_ranks = 1;
  if (const char* local = std::getenv("LOCAL_WORLD_SIZE")) local_ranks = std::max(1, std::atoi(local));
  else local_ranks = distributed.world_size();
  int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  // Data-parallel ranks on one machine each take their own GPU: a bare "cuda" means cuda:LOCAL_RANK.
  std::string device = options.device;
  if (device == "cuda" && distributed.world_size() > 1) device = fmt::format("cuda:{}", distributed.local_rank());
  model::RuntimeOptions runtime{device, options.dtype,
                                options.threads > 0 ? options.threads : std::max(1, cores / local_ranks)};
  runtime.apply();

  const data::DatasetPaths paths{options.data, options.dataset};
  data::Catalog catalog = data::Catalog::load(paths);
  fs::path tokenizer_path = !options.tokenizer.empty() ? options.tokenizer : options.model / "tokenizer.json";
  text::Tokenizer tokenizer = text::Tokenizer::from_file(tokenizer_path);
  std::size_t added = tasks::add_sid_tokens(tokenizer, catalog);
  const auto vocab = static_cast<std::int64_t>(tokenizer.size());
  auto im_end = tokenizer.token_to_id("<|im_end|>");
  if (!im_end) throw InputError(tokenizer_path.string() + ": no <|im_end|> token (the chat template needs it)");

  model::Qwen3 net{nullptr};
  if (model_is_config(options.model)) {
    auto config = model::ModelConfig::load(options.model);
    config.vocab_size = vocab;
    config.eos_token_id = *im_end;
    config.pad_token_id = *im_end;
    try {
      net = model::init_model(config, options.seed);
    } catch (const c10::Error& e) {  // e.g. a hidden_size the heads do not divide: one line naming the file
      throw InputError(fmt::format("{}: cannot build the model: {}", options.model.string(), first_line(e)));
    }
  } else {
    try {
      net = model::load_model(options.model, runtime.torch_device(), runtime.torch_dtype());
      // HF resize_token_embeddings(len(tokenizer)) when the SID tokens do not fit (rows are only ever added).
      if (net->config().vocab_size < vocab) model::resize_token_embeddings(net, vocab);
    } catch (const c10::Error& e) {
      throw InputError(fmt::format("{}: cannot load the model: {}", options.model.string(), first_line(e)));
    }
  }
  try {
    net->to(runtime.torch_device(), runtime.torch_dtype());
  } catch (const c10::Error& e) {
    throw Error(fmt::format("cannot move the model to {} ({}): {}", device, options.dtype, first_line(e)));
  }
  std::int64_t parameter_count = 0;
  for (const auto& p : net->parameters()) parameter_count += p.numel();

  tasks::TaskOptions task_options;
  task_options.style = tasks::parse_prompt_style(options.style);
  task_options.seed = options.seed;
  task_options.encode.cutoff = static_cast<std::size_t>(options.cutoff);
  task_options.encode.keep_text = false;
  if (!options.weights.empty()) task_options.weights = tasks::parse_weights(options.weights);
  task_options.plain_weight = options.plain_weight;
  task_options.item_corpus = options.item_corpus;
  task_options.user_corpus = options.user_corpus;
  task_options.general_chats = options.general_chats;
  task_options.validate();
  // Cut to --max-samples before tokenizing: the set is already shuffled, and encoding is the slow part.
  tasks::TextSet train_text = options.stage == 1 ? tasks::build_stage1_text(paths, catalog, task_options)
                                                 : tasks::build_stage2_text(paths, task_options);
  if (options.max_samples > 0 && train_text.samples.size() > static_cast<std::size_t>(options.max_samples))
    train_text.samples.resize(static_cast<std::size_t>(options.max_samples));
  tasks::SampleSet train_set = tasks::encode_set(train_text, tokenizer, task_options.encode);
  tasks::ValidationSets valid = tasks::build_validation(paths, catalog, tokenizer, task_options);
  std::string counts;
  for (const auto& group : train_set.counts) counts += fmt::format(" {}={}", group.group, group.samples);
  const auto& stats = train_set.stats;
  say(fmt::format("stage {}: {} training samples ({}), tokenizer {} tokens ({} SID tokens added)", options.stage,
                  train_set.samples.size(), counts.empty() ? "" : counts.substr(1), vocab, added));
  say(fmt::format("encoding: {} truncated to {} tokens, {} without labels, {} prefix/target boundary mismatches "
                  "({} found by search, {} approximate)",
                  stats.truncated, options.cutoff, stats.no_labels, stats.mismatches, stats.searched,
                  stats.approximate));

  std::vector<Sample> train = to_train_samples(std::move(train_set.samples), options.max_samples);
  std::vector<EvalSet> evals;
  evals.push_back({"valid", to_train_samples(std::move(valid.t1.samples), options.max_eval_samples)});
  evals.push_back({"title2sid", to_train_samples(std::move(valid.title2sid.samples), options.max_eval_samples)});
  evals.push_back({"sid2title", to_train_samples(std::move(valid.sid2title.samples), options.max_eval_samples)});

  Qwen3Lm lm(net, [&tokenizer](const fs::path& dir) { tokenizer.save(dir); });
  TrainerOptions trainer_options;
  trainer_options.out_dir = options.out;
  trainer_options.epochs = options.epochs;
  trainer_options.global_batch = options.batch;
  trainer_options.micro_batch = options.micro_batch;
  trainer_options.lr = options.lr;
  trainer_options.weight_decay = options.weight_decay;
  trainer_options.max_grad_norm = options.max_grad_norm;
  trainer_options.schedule = parse_schedule_kind(options.schedule);
  trainer_options.warmup_steps = options.warmup;
  trainer_options.patience = options.patience;
  trainer_options.save_steps = options.save_steps;
  trainer_options.keep_checkpoints = options.keep_checkpoints;
  trainer_options.max_steps = options.max_steps;
  trainer_options.max_minutes = options.max_minutes;
  trainer_options.eval_batch = options.eval_batch;
  trainer_options.seed = options.seed;
  trainer_options.pad_id = *im_end;
  trainer_options.progress = options.progress;
  trainer_options.resume = options.resume;
  trainer_options.ema_decay = options.ema;
  const AugmentOptions augment = AugmentOptions::parse(options.augment);
  trainer_options.augment = augment.to_string();
  EpochSamples epoch_samples;
  if (augment.enabled()) {
    // Items open with a first-level SID token (<a_N>, level 0 of the index's grammar).
    std::vector<bool> is_item_start(static_cast<std::size_t>(vocab), false);
    for (const auto& token : catalog.sorted_level_tokens())
      if (data::sid_token_error(token, 0, nullptr, catalog.grammar().codebook_size).empty())
        if (auto id = tokenizer.token_to_id(token)) is_item_start[static_cast<std::size_t>(*id)] = true;
    auto augmenter = std::make_shared<SequenceAugmenter>(augment, std::move(is_item_start), options.seed);
    epoch_samples = [augmenter](const std::vector<Sample>& base, std::int64_t epoch) {
      return augmenter->epoch_samples(base, epoch);
    };
    say(fmt::format("augmentation: {} (a fresh draw every epoch)", augment.to_string()));
  }
  // What made the samples: a resume with other values would train on another set (checked with the optimizer's).
  trainer_options.samples = {{"stage", options.stage},         {"dataset", options.dataset},
                             {"style", options.style},         {"weights", options.weights},
                             {"max_samples", options.max_samples}, {"max_eval_samples", options.max_eval_samples},
                             {"cutoff", options.cutoff}};
  // A refused resume writes nothing: the check comes before sft_config.json.
  check_resume(trainer_options);
  if (main) {
    fs::create_directories(options.out);
    Json resolved = options.to_json();
    resolved["world_size"] = distributed.world_size();
    resolved["threads_per_rank"] = runtime.threads;
    resolved["parameters"] = parameter_count;
    resolved["train_samples"] = train.size();
    write_file_atomic(options.out / "sft_config.json", resolved.dump(2) + "\n");
    if (!options.save_samples.empty()) write_samples_jsonl(train, options.save_samples);
  }
  say(fmt::format("model {} ({} parameters), {} rank(s) x {} thread(s), backend {}", options.model.string(),
                  parameter_count, distributed.world_size(), runtime.threads, distributed.backend()));

  install_stop_handler();  // SIGTERM: finish the step, save a checkpoint, exit kInterruptedExitCode
  Trainer trainer(lm, distributed, trainer_options);
  TrainResult result = trainer.fit(train, evals, epoch_samples);
  if (result.interrupted) {
    say(fmt::format("stopped by a signal after {} steps; checkpoint saved; continue with --resume (exit {})",
                    result.steps, kInterruptedExitCode));
    return kInterruptedExitCode;
  }
  if (!result.finished) {
    say(fmt::format("paused after {} steps (--max-steps); continue with --resume", result.steps));
    return 0;
  }
  say(fmt::format("done: {} steps, {} epochs{}; best epoch {} (valid loss {:.4f}); model in {}", result.steps,
                  result.epochs_done,
                  result.stopped_early ? " (early stop)" : result.out_of_time ? " (time budget spent)" : "", result.best_epoch + 1,
                  result.best_loss, result.final_checkpoint.string()));
  return 0;
}

}  // namespace sidr::train
