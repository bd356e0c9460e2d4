#include "train/trainer.h"

#include <algorithm>
#include <csignal>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>

#include <signal.h>

#include <fmt/format.h>

#include "train/ema.h"
#include "train/loss.h"
#include "train/metrics_log.h"
#include "train/train_state.h"
#include "train/updater.h"
#include "util/error.h"
#include "util/file_io.h"
#include "util/progress.h"

namespace sidr::train {
namespace fs = std::filesystem;

void TrainerOptions::validate() const {
  auto fail = [](const char* option, const std::string& message) {
    throw InputError(fmt::format("option --{}: {}", option, message));
  };
  if (out_dir.empty()) fail("out", "an output directory is required");
  if (epochs < 1) fail("epochs", "must be at least 1");
  if (global_batch < 1) fail("batch", "must be at least 1");
  if (micro_batch < 1) fail("micro-batch", "must be at least 1");
  if (micro_batch > global_batch) fail("micro-batch", "must not exceed --batch");
  if (!(lr > 0.0) || !std::isfinite(lr)) fail("lr", "must be a positive number");
  if (!(beta1 >= 0.0 && beta1 < 1.0)) fail("beta1", "must be in [0, 1)");
  if (!(beta2 >= 0.0 && beta2 < 1.0)) fail("beta2", "must be in [0, 1)");
  if (!(eps > 0.0)) fail("eps", "must be positive");
  if (!(weight_decay >= 0.0)) fail("weight-decay", "must not be negative");
  if (!std::isfinite(max_grad_norm)) fail("max-grad-norm", "must be finite (0 turns clipping off)");
  if (warmup_steps < 0) fail("warmup", "must not be negative");
  if (patience < 0) fail("patience", "must not be negative (0 never stops early)");
  if (save_steps < 0) fail("save-steps", "must not be negative");
  if (keep_checkpoints < 1) fail("keep-checkpoints", "must be at least 1");
  if (max_steps < 0) fail("max-steps", "must not be negative");
  if (!(max_minutes >= 0)) fail("max-minutes", "must not be negative (0: no time budget)");
  if (eval_batch < 1) fail("eval-batch", "must be at least 1");
  if (!(ema_decay >= 0.0 && ema_decay < 1.0)) fail("ema", "must be in [0, 1) (0: off)");
  if (pad_id < 0) fail("pad-id", "must not be negative");
}

Json TrainerOptions::to_json() const {
  Json json;
  json["epochs"] = epochs;
  json["global_batch"] = global_batch;
  json["micro_batch"] = micro_batch;
  json["lr"] = lr;
  json["betas"] = {beta1, beta2};
  json["eps"] = eps;
  json["weight_decay"] = weight_decay;
  json["max_grad_norm"] = max_grad_norm;
  json["schedule"] = schedule_kind_name(schedule);
  json["warmup_steps"] = warmup_steps;
  json["patience"] = patience;
  json["save_steps"] = save_steps;
  json["keep_checkpoints"] = keep_checkpoints;
  json["eval_batch"] = eval_batch;
  json["max_minutes"] = max_minutes;
  json["ema_decay"] = ema_decay;
  json["augment"] = augment;
  json["seed"] = seed;
  json["pad_id"] = pad_id;
  json["samples"] = samples;
  return json;
}

namespace {
volatile std::sig_atomic_t stop_signal = 0;
extern "C" void request_stop(int signal) { stop_signal = signal; }
}  // namespace

void install_stop_handler() {
  struct sigaction action {};
  action.sa_handler = request_stop;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  ::sigaction(SIGTERM, &action, nullptr);
  ::sigaction(SIGINT, &action, nullptr);
}

bool stop_requested() { return stop_signal != 0; }

Trainer::Trainer(CausalLm& model, Distributed& distributed, TrainerOptions options)
    : model_(model), distributed_(distributed), options_(std::move(options)) {
  options_.validate();
}

double Trainer::evaluate(const std::vector<Sample>& samples) {
  torch::NoGradGuard no_grad;
  auto& module = model_.module();
  bool was_training = module.is_training();
  module.eval();
  std::vector<std::size_t> rows;
  for (std::size_t i = static_cast<std::size_t>(distributed_.rank()); i < samples.size();
       i += static_cast<std::size_t>(distributed_.world_size()))
    rows.push_back(i);
  std::sort(rows.begin(), rows.end(), [&](std::size_t a, std::size_t b) {
    return samples[a].input_ids.size() > samples[b].input_ids.size();
  });
  double sum = 0.0;
  double count = 0.0;
  for (std::size_t start = 0; start < rows.size(); start += static_cast<std::size_t>(options_.eval_batch)) {
    std::vector<std::size_t> chunk(rows.begin() + start,
                                   rows.begin() + std::min(rows.size(), start + options_.eval_batch));
    Batch batch = collate(samples, chunk, options_.pad_id);
    if (batch.label_tokens == 0) continue;
    sum += labelled_loss_sum(model_, batch).item<double>();
    count += static_cast<double>(batch.label_tokens);
  }
  auto totals = torch::tensor({sum, count}, torch::kFloat64);
  distributed_.all_reduce_sum(totals);
  module.train(was_training);
  double total_count = totals[1].item<double>();
  return total_count > 0 ? totals[0].item<double>() / total_count : std::numeric_limits<double>::quiet_NaN();
}

namespace {

// Every option that changes the result (micro_batch only regroups the same sums; save_steps, keep_checkpoints,
// eval_batch, max_steps and max_minutes are per invocation). A key an older checkpoint lacks is not compared.
void check_resume_options(const Json& saved, const Json& now, const fs::path& checkpoint) {
  auto refuse = [&](const std::string& key, const Json& was, const Json& is) {
    throw InputError(fmt::format("{}: option '{}' was {} when the run started but is {} now; resume with the same "
                                 "options or start a new --out",
                                 (checkpoint / "options.json").string(), key, was.dump(), is.dump()));
  };
  for (const char* key : {"global_batch", "seed", "epochs", "lr", "betas", "eps", "weight_decay", "max_grad_norm",
                          "schedule", "warmup_steps", "patience", "pad_id", "ema_decay", "augment"})
    if (saved.contains(key) && saved[key] != now[key]) refuse(key, saved[key], now[key]);
  if (saved.contains("samples") && saved["samples"].is_object())
    for (auto it = saved["samples"].begin(); it != saved["samples"].end(); ++it) {
      const Json is = now["samples"].contains(it.key()) ? now["samples"][it.key()] : Json(nullptr);
      if (*it != is) refuse(it.key(), *it, is);
    }
}

}  // namespace

void check_resume(const TrainerOptions& options) {
  std::optional<fs::path> checkpoint = latest_checkpoint(options.out_dir);
  if (!checkpoint) return;
  if (!options.resume)
    throw InputError(fmt::format("{} already holds a run ({}); pass --resume to continue it or choose another --out",
                                 options.out_dir.string(), checkpoint->filename().string()));
  check_resume_options(read_json_file(*checkpoint / "options.json"), options.to_json(), *checkpoint);
}

TrainResult Trainer::fit(const std::vector<Sample>& train, const std::vector<EvalSet>& evals,
                         const EpochSamples& epoch_samples) {
  if (train.empty()) throw InputError("no training samples");
  const bool main = distributed_.is_main();
  const fs::path& out = options_.out_dir;
  auto& module = model_.module();
  module.train();
  check_resume(options_);  // before anything is written
  if (main) {
    fs::create_directories(out);
    remove_stale_temporaries(out);  // what a killed run's atomic writes left behind
  }
  distributed_.barrier();

  std::optional<fs::path> checkpoint = latest_checkpoint(out);
  const Json options_json = options_.to_json();
  if (main) write_file_atomic(out / "train_options.json", options_json.dump(2) + "\n");

  auto parameters = module.parameters();
  if (checkpoint) {
    load_checkpoint_weights(*checkpoint, module);
  } else {
    torch::NoGradGuard no_grad;
    distributed_.broadcast_from_main(parameters);  // identical replicas whatever the initialisation
  }
  const std::int64_t epoch_steps = steps_per_epoch(train.size(), options_.global_batch);
  UpdaterOptions update;
  update.optimizer = {OptimizerKind::AdamW, options_.lr,  options_.beta1,
                      options_.beta2,       options_.eps, options_.weight_decay};
  update.max_grad_norm = options_.max_grad_norm;
  update.schedule = {options_.schedule, options_.lr, options_.warmup_steps, epoch_steps * options_.epochs};
  Updater updater(parameters, update, &distributed_);
  const Schedule& schedule = updater.schedule();
  torch::optim::Optimizer& optimizer = updater.optimizer();
  TrainState state;
  std::optional<ParameterEma> ema;
  if (options_.ema_decay > 0.0) ema.emplace(parameters, options_.ema_decay);
  if (checkpoint) {
    Json saved_options;
    state = load_checkpoint_state(*checkpoint, optimizer, saved_options);
    if (ema) ema->load(*checkpoint / "ema.pt");
  }
  MetricsLog metrics(out / "metrics.jsonl", main, checkpoint ? state.global_step : -1);

  BatchingOptions batching{options_.global_batch, options_.micro_batch, options_.seed};
  const Objective<Batch> objective{
      [](const Batch& batch) {
        return MicroBatchCounts{static_cast<double>(batch.label_tokens), static_cast<double>(batch.tokens)};
      },
      [&](const Batch& batch) { return labelled_loss_sum(model_, batch); }};

  // Every rank stops at the same step: with several ranks the stop request is summed over them each step.
  auto stop_everywhere = [&] {
    if (distributed_.world_size() == 1) return stop_requested();
    auto flag = torch::tensor({stop_requested() ? 1.0 : 0.0}, torch::kFloat64);
    distributed_.all_reduce_sum(flag);
    return flag.item<double>() > 0;
  };
  TrainResult result;
  std::int64_t steps_this_run = 0;
  const auto run_start = std::chrono::steady_clock::now();
  const double budget_seconds = options_.max_minutes * 60.0;
  auto save = [&]() {
    if (main)
      save_checkpoint(out, module, optimizer, state, options_json, options_.keep_checkpoints,
                      [&](const fs::path& dir) {
                        if (ema) ema->save(dir / "ema.pt");
                      });
    distributed_.barrier();
  };

  while (state.epoch < options_.epochs && !state.stopped_early && !state.out_of_time) {
    std::vector<Sample> augmented;
    if (epoch_samples) {
      augmented = epoch_samples(train, state.epoch);
      if (augmented.size() != train.size()) throw std::logic_error("epoch transform changed the sample count");
    }
    const std::vector<Sample>& samples = epoch_samples ? augmented : train;
    std::vector<std::size_t> lengths;
    lengths.reserve(samples.size());
    for (const auto& sample : samples) lengths.push_back(sample.input_ids.size());
    auto plan = plan_epoch(lengths, batching, state.epoch, distributed_.rank(), distributed_.world_size());
    std::optional<Progress> progress;
    if (main && options_.progress) {
      progress.emplace(fmt::format("epoch {}/{}", state.epoch + 1, options_.epochs), plan.size(), "steps");
      progress->advance(static_cast<std::uint64_t>(state.step_in_epoch));
    }
    while (state.step_in_epoch < static_cast<std::int64_t>(plan.size())) {
      if (options_.max_steps > 0 && steps_this_run >= options_.max_steps) {
        save();
        result.steps = state.global_step;
        result.epochs_done = state.epoch;
        result.last_train_loss = state.last_train_loss;
        return result;
      }
      auto start = std::chrono::steady_clock::now();
      const auto& step = plan[static_cast<std::size_t>(state.step_in_epoch)];
      std::vector<Batch> batches;
      for (const auto& rows : step.micro_batches) batches.push_back(collate(samples, rows, options_.pad_id));
      double elapsed = 0.0;
      if (budget_seconds > 0) {
        // The ranks average their clocks, so every rank takes the same time-budget decisions.
        auto clock = torch::tensor({std::chrono::duration<double>(start - run_start).count()}, torch::kFloat64);
        distributed_.all_reduce_sum(clock);
        elapsed = clock.item<double>() / static_cast<double>(distributed_.world_size());
        if (elapsed >= budget_seconds) {
          state.out_of_time = true;
          break;
        }
      }
      std::int64_t schedule_step = state.global_step;
      // After the warmup (counted in steps), the schedule runs on whichever clock (steps or time) is further along.
      if (budget_seconds > 0 && state.global_step >= schedule.warmup_steps)
        schedule_step = std::max(schedule_step, static_cast<std::int64_t>(static_cast<double>(schedule.total_steps) *
                                                                          elapsed / budget_seconds));
      const StepReport report = updater.step(batches, objective, schedule_step);
      const double loss = report.loss;
      const double lr = report.lr;

      ++state.global_step;
      if (ema) ema->update(state.global_step);
      ++state.step_in_epoch;
      ++steps_this_run;
      state.last_train_loss = loss;
      double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      Json record;
      record["type"] = "train";
      record["step"] = state.global_step;
      record["epoch"] = static_cast<double>(state.epoch) +
                        static_cast<double>(state.step_in_epoch) / static_cast<double>(plan.size());
      record["loss"] = loss;
      record["lr"] = lr;
      record["grad_norm"] = report.grad_norm;
      record["tokens"] = static_cast<std::int64_t>(report.tokens);
      record["label_tokens"] = static_cast<std::int64_t>(report.denominator);
      record["tokens_per_s"] = report.tokens / std::max(seconds, 1e-9);
      metrics.write(record);
      if (progress) {
        progress->set_postfix(fmt::format("loss {:.4f} lr {:.2e}", loss, lr));
        progress->advance();
      }
      bool epoch_end = state.step_in_epoch == static_cast<std::int64_t>(plan.size());
      if (stop_everywhere()) {  // SIGTERM: this step is done; keep it and stop
        if (progress) progress->finish();
        save();
        result.steps = state.global_step;
        result.epochs_done = state.epoch;
        result.last_train_loss = state.last_train_loss;
        result.interrupted = true;
        return result;
      }
      if (options_.save_steps > 0 && state.global_step % options_.save_steps == 0 && !epoch_end) save();
    }
    if (progress) progress->finish();
    // Out of time before the first step of an epoch: the weights are the ones the previous epoch's end already
    // validated and saved, so a second validation would only repeat that record.
    if (state.out_of_time && state.step_in_epoch == 0 && state.epoch > 0) break;

    // End of epoch (or of the time budget, within one): validation, early stopping, best model, checkpoint.
    Json record;
    record["type"] = "eval";
    record["step"] = state.global_step;
    if (state.out_of_time) {
      record["epoch"] = static_cast<double>(state.epoch) +
                        static_cast<double>(state.step_in_epoch) / static_cast<double>(plan.size());
      record["out_of_time"] = true;
    } else {
      record["epoch"] = state.epoch + 1;
    }
    if (ema) ema->swap();  // validate (and keep as best) the averaged weights
    for (std::size_t i = 0; i < evals.size(); ++i) {
      double loss = evaluate(evals[i].samples);
      record[evals[i].name + "_loss"] = loss;
      if (i != 0) continue;
      bool improved = loss < state.best_loss;
      record["improved"] = improved;
      if (improved) {
        state.best_loss = loss;
        state.best_epoch = state.epoch;
        state.bad_epochs = 0;
        if (main) {
          AtomicDirectory best(out / "best");
          model_.save_pretrained(best.path());
          best.commit();
        }
      } else if (++state.bad_epochs >= options_.patience && options_.patience > 0) {
        state.stopped_early = true;
      }
    }
    if (ema) ema->swap();
    if (!evals.empty()) metrics.write(record);
    ++state.epoch;
    state.step_in_epoch = 0;
    save();
  }

  // The final model: the best epoch when there was validation, the last weights otherwise.
  fs::path final_dir = out / "final_checkpoint";
  if (main) {
    AtomicDirectory final_checkpoint(final_dir);
    if (!evals.empty() && fs::exists(out / "best")) {
      for (const auto& entry : fs::directory_iterator(out / "best"))
        fs::copy(entry.path(), final_checkpoint.path() / entry.path().filename(), fs::copy_options::recursive);
    } else {
      if (ema) ema->swap();
      model_.save_pretrained(final_checkpoint.path());
      if (ema) ema->swap();
    }
    final_checkpoint.commit();
  }
  distributed_.barrier();
  result.steps = state.global_step;
  result.epochs_done = state.epoch;
  result.best_epoch = state.best_epoch;
  result.best_loss = state.best_loss;
  result.last_train_loss = state.last_train_loss;
  result.stopped_early = state.stopped_early;
  result.out_of_time = state.out_of_time;
  result.finished = true;
  result.final_checkpoint = final_dir;
  return result;
}

}  // namespace sidr::train
