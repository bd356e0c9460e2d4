#include "rl/grpo_run.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <cmath>
#include <optional>
#include <set>
#include <thread>
#include <unordered_set>

#include <fmt/format.h>

#include "data/catalog.h"
#include "data/dataset.h"
#include "data/interactions.h"
#include "decode/lm_step_model.h"
#include "decode/sid_search.h"
#include "model/checkpoint.h"
#include "model/runtime.h"
#include "rl/grpo_update.h"
#include "rl/reward.h"
#include "rl/rollout.h"
#include "rl/sasrec_reward.h"
#include "tasks/encode.h"
#include "tasks/eval_prompts.h"
#include "text/tokenizer.h"
#include "train/batching.h"
#include "train/distributed.h"
#include "train/metrics_log.h"
#include "train/qwen3_lm.h"
#include "train/train_state.h"
#include "train/updater.h"
#include "util/error.h"
#include "util/file_io.h"
#include "util/progress.h"

namespace sidr::rl {
namespace fs = std::filesystem;

namespace {

[[noreturn]] void bad_option(const char* option, const std::string& message) {
  throw InputError(fmt::format("option --{}: {}", option, message));
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The options a resumed run must share with the run it continues (the rest may change, e.g. --steps).
const char* const kFixedOptions[] = {"algo", "model", "dataset", "reward", "rollout", "sasrec", "prompts", "group",
                                     "temperature", "max_new_tokens", "lr", "weight_decay", "max_grad_norm",
                                     "kl_coef", "adv_eps", "clip", "dual_clip", "micro_batch", "ref_sync_steps",
                                     "ref_alpha", "style", "prompt_style", "max_rows", "seed"};

// The rollout seed of one step on one rank: a pure function of the data cursor, so a resumed run draws the same.
std::uint64_t rollout_seed(std::uint64_t seed, std::int64_t step, int rank) {
  std::uint64_t state = seed ^ (0x9E3779B97F4A7C15ULL * static_cast<std::uint64_t>(step + 1)) ^
                        (0xD1B54A32D192ED03ULL * static_cast<std::uint64_t>(rank + 1));
  return train::splitmix64(state);
}

// <dir>/weights.pt as save_checkpoint writes it (train::load_checkpoint_weights reads it back).
void save_weights(torch::nn::Module& module, const fs::path& dir) {
  fs::create_directories(dir);
  torch::serialize::OutputArchive archive;
  for (const auto& item : module.named_parameters()) archive.write(item.key(), item.value().detach());
  for (const auto& item : module.named_buffers()) archive.write(item.key(), item.value(), /*is_buffer=*/true);
  train::save_archive(archive, dir / "weights.pt");
}

}  // namespace

void RlOptions::resolve_defaults() {
  const bool sr = algo == "sidreasoner";
  if (reward.empty()) reward = sr ? "step_rule" : "ranking";
  if (rollout.empty()) rollout = sr ? "sample" : "beam";
  if (max_new_tokens == 0) max_new_tokens = sr ? 1024 : 128;
  if (lr == 0.0) lr = sr ? 5e-7 : 1e-5;
  if (max_grad_norm < 0) max_grad_norm = sr ? 1.0 : 0.3;
  if (kl_coef < 0) kl_coef = 0.001;
  if (adv_eps < 0) adv_eps = sr ? 1e-6 : 1e-4;
  if (ref_sync_steps < 0) ref_sync_steps = sr ? 0 : 512;
}

void RlOptions::validate() const {
  parse_algo(algo);
  if (model.empty()) bad_option("model", "a checkpoint directory is required");
  if (!fs::exists(model / "config.json")) bad_option("model", model.string() + " has no config.json");
  if (!fs::exists(model / "tokenizer.json")) bad_option("model", model.string() + " has no tokenizer.json");
  if (!fs::is_directory(data)) bad_option("data", data.string() + " is not a directory");
  if (dataset.empty()) bad_option("dataset", "a dataset name is required");
  if (out.empty()) bad_option("out", "an output directory is required");
  if (reward == "sasrec") {
    if (sasrec.empty()) bad_option("sasrec", "the sasrec reward needs a `baseline sasrec` run directory");
    if (!fs::is_directory(sasrec)) bad_option("sasrec", sasrec.string() + " is not a directory");
  } else {
    make_reward(reward, {});
  }
  parse_rollout_kind(rollout);
  if (steps < 1) bad_option("steps", "must be at least 1");
  if (prompts < 1) bad_option("prompts", "must be at least 1");
  if (group < 1) bad_option("group", "must be at least 1");
  if (!(temperature > 0)) bad_option("temperature", "must be positive");
  if (max_new_tokens < 1) bad_option("max-new-tokens", "must be at least 1");
  if (!(lr > 0)) bad_option("lr", "must be positive");
  if (!(weight_decay >= 0)) bad_option("weight-decay", "must not be negative");
  if (!(kl_coef >= 0)) bad_option("kl-coef", "must not be negative");
  if (!(adv_eps > 0)) bad_option("adv-eps", "must be positive");
  if (!(clip > 0 && clip < 1)) bad_option("clip", "must be in (0, 1)");
  if (!(dual_clip > 1)) bad_option("dual-clip", "must be above 1");
  if (micro_batch < 1) bad_option("micro-batch", "must be at least 1");
  if (!(ref_alpha > 0 && ref_alpha <= 1)) bad_option("ref-alpha", "must be in (0, 1]");
  if (max_rows < 0) bad_option("max-rows", "must not be negative");
  if (eval_steps < 0) bad_option("eval-steps", "must not be negative");
  if (eval_rows < 0) bad_option("eval-rows", "must not be negative");
  if (save_steps < 1) bad_option("save-steps", "must be at least 1");
  if (keep_checkpoints < 1) bad_option("keep-checkpoints", "must be at least 1");
  if (nproc < 1 || nproc > 256) bad_option("nproc", "must be in [1, 256]");
  // Every style has a reasoning prompt (sequence: the compact one with the SIDs back to back, as Stage 2 saw).
  tasks::parse_prompt_style(style);
  tasks::parse_eval_prompt_style(prompt_style);
  model::RuntimeOptions{device, dtype, threads}.validate();
}

Json RlOptions::to_json() const { return opts::fields_to_json(*this); }

int run_rl(RlOptions o) {
  o.resolve_defaults();
  o.validate();
  const Algo algo = parse_algo(o.algo);
  const RolloutKind rollout_kind = parse_rollout_kind(o.rollout);
  auto env = train::DistributedEnv::from_environment();
  env.on_gpu = o.device.rfind("cuda", 0) == 0;
  train::Distributed distributed(env);
  const bool main = distributed.is_main();
  const int rank = distributed.rank(), world = distributed.world_size();
  auto say = [&](const std::string& line) {
    if (main) fmt::print(stderr, "{}\n", line);
  };
  int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::string device = o.device;
  if (device == "cuda" && world > 1) device = fmt::format("cuda:{}", distributed.local_rank());
  model::RuntimeOptions runtime{device, o.dtype, o.threads > 0 ? o.threads : std::max(1, cores / world)};
  runtime.apply();

  // Inputs first: a bad file fails before a model is loaded or anything is written.
  const data::DatasetPaths paths{o.data, o.dataset};
  auto catalog = data::Catalog::load(paths);
  auto train_rows = data::Interactions::load(paths.interactions(data::Split::Train));
  if (o.max_rows > 0 && train_rows.rows.size() > static_cast<std::size_t>(o.max_rows))
    train_rows.rows.resize(static_cast<std::size_t>(o.max_rows));
  if (train_rows.rows.empty()) throw InputError(train_rows.file.string() + ": no rows to train on");
  std::optional<data::Interactions> valid_rows;
  if (o.eval_rows > 0) {
    valid_rows = data::Interactions::load(paths.interactions(data::Split::Valid));
    if (valid_rows->rows.size() > static_cast<std::size_t>(o.eval_rows))
      valid_rows->rows.resize(static_cast<std::size_t>(o.eval_rows));
  }
  auto tokenizer = text::Tokenizer::from_file(o.model / "tokenizer.json");
  const decode::TokenId end_token = tokenizer.require_id("<|im_end|>");
  std::vector<decode::TokenId> stop_tokens{end_token};
  if (auto eot = tokenizer.token_to_id("<|endoftext|>")) stop_tokens.push_back(*eot);
  auto trie = decode::build_reference_trie(catalog.distinct_sids(), tokenizer, end_token);
  const std::unordered_set<std::string> catalog_sids(catalog.distinct_sids().begin(), catalog.distinct_sids().end());
  const bool think = algo == Algo::SidReasoner;
  std::unique_ptr<Reward> reward = o.reward == "sasrec"
                                       ? std::make_unique<SasrecReward>(o.sasrec, catalog, think)
                                       : make_reward(o.reward, catalog.distinct_sids());

  tasks::EvalPromptOptions prompt_options;
  prompt_options.mode = algo == Algo::SidReasoner ? tasks::EvalMode::Think : tasks::EvalMode::Plain;
  prompt_options.style = tasks::parse_prompt_style(o.style);
  prompt_options.eval_style = tasks::parse_eval_prompt_style(o.prompt_style);
  tasks::SampleEncoder encoder(tokenizer);
  auto encode_prompts = [&](const data::Interactions& rows) {
    std::vector<std::vector<decode::TokenId>> ids;
    for (const auto& p : tasks::build_eval_prompts(rows, prompt_options))
      ids.push_back(tasks::eval_prompt_ids(p, prompt_options.mode, encoder));
    return ids;
  };
  const auto train_prompts = encode_prompts(train_rows);
  const auto valid_prompts = valid_rows ? encode_prompts(*valid_rows) : std::vector<std::vector<decode::TokenId>>{};

  auto policy = model::load_model(o.model, runtime.torch_device(), runtime.torch_dtype());
  auto reference = model::load_model(o.model, runtime.torch_device(), runtime.torch_dtype());
  if (policy->config().vocab_size < static_cast<std::int64_t>(tokenizer.size()))
    throw InputError(fmt::format("{}: the model's vocabulary ({}) is smaller than its tokenizer's ({})",
                                 o.model.string(), policy->config().vocab_size, tokenizer.size()));
  for (auto& p : reference->parameters()) p.set_requires_grad(false);
  train::Qwen3Lm policy_lm(policy, [&tokenizer](const fs::path& dir) { tokenizer.save(dir); });
  train::Qwen3Lm reference_lm(reference, {});

  // Resume: weights before the optimizer is built, then its moments, the counters and the reference.
  train::TrainState state;
  std::optional<fs::path> checkpoint;
  if (o.resume) checkpoint = train::latest_checkpoint(o.out);
  if (checkpoint) train::load_checkpoint_weights(*checkpoint, *policy);
  train::UpdaterOptions updater_options;
  updater_options.optimizer.kind = train::OptimizerKind::AdamW;
  updater_options.optimizer.lr = o.lr;
  updater_options.optimizer.weight_decay = o.weight_decay;
  updater_options.max_grad_norm = o.max_grad_norm;
  updater_options.schedule = train::Schedule{train::ScheduleKind::Constant, o.lr, 0, o.steps};
  train::Updater updater(policy->parameters(), updater_options, &distributed);
  const Json options_json = o.to_json();
  if (checkpoint) {
    Json saved;
    state = train::load_checkpoint_state(*checkpoint, updater.optimizer(), saved);
    for (const char* key : kFixedOptions)
      if (saved.value(key, Json()) != options_json.value(key, Json()))
        throw InputError(fmt::format("{}: cannot resume with a different --{} ({} in the checkpoint, {} now)",
                                     checkpoint->string(), key, saved.value(key, Json()).dump(),
                                     options_json.value(key, Json()).dump()));
    if (fs::exists(*checkpoint / "reference" / "weights.pt"))
      train::load_checkpoint_weights(*checkpoint / "reference", *reference);
    say(fmt::format("resumed from {} (step {})", checkpoint->string(), state.global_step));
  }
  if (main) {
    fs::create_directories(o.out);
    Json resolved = options_json;
    resolved["world_size"] = world;
    resolved["threads_per_rank"] = runtime.threads;
    resolved["train_prompts"] = train_prompts.size();
    write_file_atomic(o.out / "rl_config.json", resolved.dump(2) + "\n");
  }
  train::MetricsLog metrics(o.out / "metrics.jsonl", main, checkpoint ? state.global_step : -1);
  say(fmt::format("rl {}: {} prompts, {} per step x {} completions ({} rollouts, reward {}), {} rank(s) x {} thread(s)",
                  o.algo, train_prompts.size(), o.prompts, o.group, o.rollout, o.reward, world, runtime.threads));

  RolloutOptions rollout;
  rollout.kind = rollout_kind;
  rollout.group = o.group;
  rollout.temperature = o.temperature;
  rollout.max_new_tokens = o.max_new_tokens;
  rollout.stop_tokens = stop_tokens;
  rollout.end_token = end_token;
  rollout.trie = &trie;
  UpdateOptions update;
  update.algo = algo;
  update.clip = ClipOptions{o.clip, o.clip, o.dual_clip};
  update.kl_coef = o.kl_coef;
  update.micro_batch = o.micro_batch;
  update.pad_id = end_token;

  // Prompt k of step s is the (s * prompts + k)-th of the shuffled train rows, reshuffled every pass.
  const std::size_t n_rows = train_prompts.size();
  std::int64_t cached_pass = -1;
  std::vector<std::size_t> order;
  auto prompt_row = [&](std::int64_t global_index) {
    std::int64_t pass = global_index / static_cast<std::int64_t>(n_rows);
    if (pass != cached_pass) {
      order = train::seeded_permutation(n_rows, o.seed + static_cast<std::uint64_t>(pass));
      cached_pass = pass;
    }
    return order[static_cast<std::size_t>(global_index % static_cast<std::int64_t>(n_rows))];
  };

  // Greedy validation: one completion per valid row (sharded over the ranks), the run's reward, its mean.
  auto validate = [&](std::int64_t step) {
    if (valid_prompts.empty()) return;
    std::vector<std::vector<decode::TokenId>> mine;
    std::vector<std::size_t> rows;
    for (std::size_t i = static_cast<std::size_t>(rank); i < valid_prompts.size(); i += static_cast<std::size_t>(world)) {
      mine.push_back(valid_prompts[i]);
      rows.push_back(i);
    }
    RolloutOptions greedy = rollout;
    greedy.greedy = true;
    decode::LmStepModel step_model(policy, end_token);
    auto result = roll_out(step_model, mine, greedy, 0);
    double sum = 0.0, hits = 0.0;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const auto& row = valid_rows->rows[rows[i]];
      RewardGroup g{rows[i], row.item_sid, {tokenizer.decode(result.completions[i], true)}, row.history_ids};
      sum += checked_score(*reward, g)[0];
      hits += answered_sid(g.completions[0], think) == g.ground_truth ? 1.0 : 0.0;
    }
    auto sums = torch::tensor({sum, hits, static_cast<double>(rows.size())}, torch::kFloat64);
    distributed.all_reduce_sum(sums);
    double n = sums[2].item<double>();
    Json record{{"type", "eval"}, {"step", step}, {"valid_reward", sums[0].item<double>() / n},
                {"valid_hit", sums[1].item<double>() / n}, {"rows", n}};
    metrics.write(record);
    say(fmt::format("step {}: greedy validation reward {:.4f}, hit rate {:.4f} over {} rows", step,
                    sums[0].item<double>() / n, sums[1].item<double>() / n, n));
  };

  auto save = [&](std::int64_t step) {
    state.global_step = step;
    state.step_in_epoch = step;  // the data cursor: step * prompts prompts consumed
    train::save_checkpoint(o.out, *policy, updater.optimizer(), state, options_json, o.keep_checkpoints,
                           [&](const fs::path& dir) {
                             if (o.ref_sync_steps > 0) save_weights(*reference, dir / "reference");
                           });
  };

  const std::int64_t first_step = state.global_step;
  if (first_step == 0) validate(0);
  std::optional<Progress> progress;
  if (main && o.progress) progress.emplace("rl " + o.algo, static_cast<std::uint64_t>(o.steps - state.global_step), "steps");
  for (std::int64_t step = state.global_step; step < o.steps; ++step) {
    auto step_start = std::chrono::steady_clock::now();
    // This rank's prompts of the step.
    std::vector<std::vector<decode::TokenId>> prompts;
    std::vector<std::size_t> rows;
    for (std::int64_t k = rank; k < o.prompts; k += world) {
      rows.push_back(prompt_row(step * o.prompts + k));
      prompts.push_back(train_prompts[rows.back()]);
    }
    Rollouts result;
    {
      decode::LmStepModel step_model(policy, end_token);  // fresh: its shared-prefix cache holds old weights
      result = roll_out(step_model, prompts, rollout, rollout_seed(o.seed, step, rank));
    }
    double rollout_seconds = seconds_since(step_start);

    std::vector<double> rewards;
    std::vector<std::string> texts;
    double valid = 0.0, distinct = 0.0, length = 0.0;
    std::size_t at = 0;
    for (std::size_t p = 0; p < prompts.size(); ++p) {
      RewardGroup g;
      g.prompt_row = rows[p];
      g.ground_truth = train_rows.rows[rows[p]].item_sid;
      g.history_ids = train_rows.rows[rows[p]].history_ids;
      std::set<std::vector<decode::TokenId>> seen;
      for (std::size_t j = 0; j < result.group_sizes[p]; ++j, ++at) {
        g.completions.push_back(tokenizer.decode(result.completions[at], true));
        seen.insert(result.completions[at]);
        length += static_cast<double>(result.completions[at].size());
        valid += catalog_sids.count(answered_sid(g.completions.back(), think)) ? 1.0 : 0.0;
      }
      distinct += result.group_sizes[p] ? static_cast<double>(seen.size()) / static_cast<double>(o.group) : 0.0;
      auto values = checked_score(*reward, g);
      rewards.insert(rewards.end(), values.begin(), values.end());
    }
    auto advantages = group_advantages(rewards, result.group_sizes, o.adv_eps);
    std::vector<Trajectory> trajectories;
    at = 0;
    for (std::size_t p = 0; p < prompts.size(); ++p)
      for (std::size_t j = 0; j < result.group_sizes[p]; ++j, ++at)
        trajectories.push_back(Trajectory{&prompts[p], &result.completions[at], advantages[at]});
    auto report = grpo_update(policy_lm, reference_lm, updater, &distributed, trajectories, update, step);
    if (main && !o.dump_rollouts.empty()) {
      Json dump{{"step", step + 1}, {"prompts", prompts}, {"group_sizes", result.group_sizes},
                {"completions", result.completions}, {"rewards", rewards}, {"advantages", advantages}};
      std::ofstream(o.dump_rollouts, std::ios::app) << dump.dump() << "\n";
    }

    if (o.ref_sync_steps > 0 && (step + 1) % o.ref_sync_steps == 0) {
      torch::NoGradGuard no_grad;
      auto source = policy->parameters();
      auto target = reference->parameters();
      for (std::size_t i = 0; i < source.size(); ++i)
        target[i].mul_(1.0 - o.ref_alpha).add_(source[i].detach(), o.ref_alpha);
    }

    double reward_sum = 0.0, reward_squares = 0.0;
    for (double r : rewards) reward_sum += r, reward_squares += r * r;
    auto sums = torch::tensor({reward_sum, reward_squares, static_cast<double>(rewards.size()), valid, distinct,
                               static_cast<double>(prompts.size()), length, rollout_seconds,
                               static_cast<double>(result.generated_tokens)},
                              torch::kFloat64);
    distributed.all_reduce_sum(sums);
    const double n = sums[2].item<double>();
    const double mean = sums[0].item<double>() / n;
    const double variance = n > 1 ? std::max(0.0, (sums[1].item<double>() - n * mean * mean) / (n - 1)) : 0.0;
    Json record{{"type", "train"},
                {"step", step + 1},
                {"reward_mean", mean},
                {"reward_std", std::sqrt(variance)},
                {"kl", report.kl},
                {"entropy", report.entropy},
                {"completion_length", sums[6].item<double>() / n},
                {"valid_sid_share", sums[3].item<double>() / n},
                {"distinct_per_group", sums[4].item<double>() / sums[5].item<double>()},
                {"loss", report.step.loss},
                {"grad_norm", report.step.grad_norm},
                {"lr", report.step.lr},
                {"completions", n},
                {"rollout_s", rollout_seconds},
                {"reference_s", report.reference_seconds},
                {"update_s", report.update_seconds},
                {"rollout_tokens_per_s", sums[8].item<double>() / std::max(1e-9, sums[7].item<double>() / world)}};
    metrics.write(record);
    if (progress) {
      progress->set_postfix(fmt::format("reward {:.3f} kl {:.4f}", mean, report.kl));
      progress->advance();
    }
    if ((step + 1) % o.save_steps == 0 || step + 1 == o.steps) save(step + 1);
    if (o.eval_steps > 0 && (step + 1) % o.eval_steps == 0) validate(step + 1);
  }
  if (progress) progress->finish();
  if (o.eval_steps == 0 && first_step < o.steps) validate(o.steps);
  if (main) {
    AtomicDirectory final_dir(o.out / "final_checkpoint");
    policy_lm.save_pretrained(final_dir.path());
    final_dir.commit();
  }
  distributed.barrier();
  say(fmt::format("done: {} steps; model in {}", o.steps, (o.out / "final_checkpoint").string()));
  return 0;
}

}  // namespace sidr::rl
