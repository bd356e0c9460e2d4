#include "train/trainer.h"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tiny_lm.h"
#include "train/loss.h"
#include "util/error.h"
#include "util/file_io.h"

extern char** environ;

namespace sidr::train {
namespace {
namespace fs = std::filesystem;
using testing::TinyCausalLm;

// Sequences of varied lengths: a prompt (not supervised) then a target run (supervised), as the SFT tasks.
std::vector<Sample> make_samples(std::size_t n, std::uint64_t seed) {
  std::mt19937 rng(static_cast<std::uint32_t>(seed));
  std::vector<Sample> samples;
  for (std::size_t i = 0; i < n; ++i) {
    int prompt = 2 + static_cast<int>(rng() % 9);
    int target = 1 + static_cast<int>(rng() % 4);
    Sample sample;
    for (int t = 0; t < prompt + target; ++t) {
      int token = 1 + static_cast<int>((t < prompt ? rng() : (i * 3 + t)) % 31);
      sample.input_ids.push_back(token);
      sample.labels.push_back(t < prompt ? kIgnoreLabel : token);
    }
    samples.push_back(std::move(sample));
  }
  return samples;
}

fs::path fresh_dir(const std::string& name) {
  fs::path dir = fs::path(SIDR_BINARY_DIR) / "test_tmp" / "train" / name;
  fs::remove_all(dir);
  fs::create_directories(dir.parent_path());
  return dir;
}

TrainerOptions small_options(const fs::path& out) {
  TrainerOptions options;
  options.out_dir = out;
  options.epochs = 2;
  options.global_batch = 8;
  options.micro_batch = 2;
  options.lr = 1e-2;
  options.warmup_steps = 2;
  options.progress = false;
  options.patience = 0;
  return options;
}

std::vector<torch::Tensor> weights(CausalLm& model) {
  std::vector<torch::Tensor> out;
  for (const auto& p : model.module().parameters()) out.push_back(p.detach().clone());
  return out;
}

double max_difference(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
  double worst = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, (a[i] - b[i]).abs().max().item<double>());
  return worst;
}

std::vector<Json> read_metrics(const fs::path& out) {
  std::vector<Json> records;
  std::istringstream lines(read_file(out / "metrics.jsonl"));
  std::string line;
  while (std::getline(lines, line)) records.push_back(Json::parse(line));
  return records;
}

TEST(Trainer, MicroBatchSizeDoesNotChangeTheResult) {
  auto samples = make_samples(30, 1);
  Distributed single(DistributedEnv{});
  TinyCausalLm a(7), b(7);
  auto options = small_options(fresh_dir("micro1"));
  options.micro_batch = 1;
  Trainer(a, single, options).fit(samples, {});
  options = small_options(fresh_dir("micro8"));
  options.micro_batch = 8;
  Trainer(b, single, options).fit(samples, {});
  EXPECT_LT(max_difference(weights(a), weights(b)), 1e-5);
}

// The first step's loss and gradient norm against an independent computation: the full-logits loss of the whole
// global batch in one forward, divided by its label-token count (HF >= 4.46: a token mean over the accumulated batch,
// not a mean of micro-batch means).
TEST(Trainer, LossIsTheTokenMeanOfTheAccumulatedBatch) {
  auto samples = make_samples(8, 2);
  TinyCausalLm model(3);
  TinyCausalLm copy(3);
  std::vector<std::size_t> all(8);
  std::iota(all.begin(), all.end(), std::size_t{0});
  Batch batch = collate(samples, all, 0);
  auto loss = full_logits_loss_sum(copy, batch) / static_cast<double>(batch.label_tokens);
  loss.backward();
  double squares = 0.0;
  for (const auto& p : copy.module().parameters()) squares += p.grad().pow(2).sum().item<double>();

  auto options = small_options(fresh_dir("token_mean"));
  options.epochs = 1;
  options.micro_batch = 3;  // uneven micro-batches: a mean of micro-batch means would differ
  Distributed single(DistributedEnv{});
  Trainer(model, single, options).fit(samples, {});
  auto records = read_metrics(options.out_dir);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_NEAR(records[0]["loss"].get<double>(), loss.item<double>(), 1e-5);
  EXPECT_NEAR(records[0]["grad_norm"].get<double>(), std::sqrt(squares), 1e-5);
  EXPECT_EQ(records[0]["label_tokens"].get<std::int64_t>(), batch.label_tokens);
  EXPECT_DOUBLE_EQ(records[0]["lr"].get<double>(), 0.0);  // HF warmup: the first step runs at lr 0
}

TEST(Trainer, PausedAndResumedRunEqualsUninterruptedRun) {
  auto samples = make_samples(40, 3);
  std::vector<EvalSet> evals = {{"valid", make_samples(6, 4)}};
  Distributed single(DistributedEnv{});
  TinyCausalLm straight(5);
  auto options = small_options(fresh_dir("straight"));
  options.epochs = 3;
  options.save_steps = 3;
  auto expected = Trainer(straight, single, options).fit(samples, evals);
  ASSERT_TRUE(expected.finished);

  auto paused_options = options;
  paused_options.out_dir = fresh_dir("paused");
  TinyCausalLm first(5);
  paused_options.max_steps = 7;  // mid-epoch (5 steps per epoch)
  auto partial = Trainer(first, single, paused_options).fit(samples, evals);
  EXPECT_FALSE(partial.finished);
  EXPECT_EQ(partial.steps, 7);
  TinyCausalLm second(99);  // other initial weights: everything must come from the checkpoint
  paused_options.max_steps = 0;
  paused_options.resume = true;
  auto resumed = Trainer(second, single, paused_options).fit(samples, evals);
  EXPECT_TRUE(resumed.finished);
  EXPECT_EQ(resumed.steps, expected.steps);
  EXPECT_EQ(max_difference(weights(straight), weights(second)), 0.0);
  EXPECT_EQ(resumed.best_epoch, expected.best_epoch);

  auto a = read_metrics(options.out_dir);
  auto b = read_metrics(paused_options.out_dir);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    a[i].erase("tokens_per_s");
    b[i].erase("tokens_per_s");
    EXPECT_EQ(a[i], b[i]) << i;
  }
  EXPECT_TRUE(fs::exists(paused_options.out_dir / "final_checkpoint" / "tiny.pt"));
}

TEST(Trainer, SpentTimeBudgetEndsTrainingWithValidationAndTheFinalModel) {
  auto samples = make_samples(40, 3);
  std::vector<EvalSet> evals = {{"valid", make_samples(6, 4)}};
  Distributed single(DistributedEnv{});
  TinyCausalLm model(5);
  auto options = small_options(fresh_dir("budget"));
  options.max_minutes = 1e-9;  // spent before the first step
  auto result = Trainer(model, single, options).fit(samples, evals);
  EXPECT_TRUE(result.finished);
  EXPECT_TRUE(result.out_of_time);
  EXPECT_EQ(result.steps, 0);
  EXPECT_EQ(result.best_epoch, 0);
  EXPECT_TRUE(fs::exists(options.out_dir / "final_checkpoint" / "tiny.pt"));
  auto records = read_metrics(options.out_dir);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0]["type"], "eval");
  EXPECT_TRUE(records[0]["out_of_time"].get<bool>());
  // Resuming a run that ran out of time trains no further.
  options.resume = true;
  TinyCausalLm again(6);
  auto resumed = Trainer(again, single, options).fit(samples, evals);
  EXPECT_TRUE(resumed.out_of_time);
  EXPECT_EQ(resumed.steps, 0);

  // A budget that is never reached changes nothing: same weights as a run without one.
  TinyCausalLm plain(7), budgeted(7);
  auto plain_options = small_options(fresh_dir("no_budget"));
  auto budget_options = small_options(fresh_dir("large_budget"));
  budget_options.max_minutes = 1e6;
  auto a = Trainer(plain, single, plain_options).fit(samples, evals);
  auto b = Trainer(budgeted, single, budget_options).fit(samples, evals);
  EXPECT_FALSE(b.out_of_time);
  EXPECT_EQ(a.steps, b.steps);
  EXPECT_EQ(max_difference(weights(plain), weights(budgeted)), 0.0);
}

TEST(Trainer, BudgetSpentAtAnEpochBoundaryDoesNotRepeatTheValidation) {
  auto samples = make_samples(40, 3);
  std::vector<EvalSet> evals = {{"valid", make_samples(6, 4)}};
  Distributed single(DistributedEnv{});
  TinyCausalLm model(5);
  auto options = small_options(fresh_dir("budget_boundary"));
  options.epochs = 3;
  options.max_steps = 5;  // exactly the first epoch (5 steps per epoch): validated, then paused
  auto first = Trainer(model, single, options).fit(samples, evals);
  EXPECT_EQ(first.steps, 5);
  options.max_steps = 0;
  options.resume = true;
  options.max_minutes = 1e-9;  // spent before the second epoch's first step
  TinyCausalLm again(6);
  auto resumed = Trainer(again, single, options).fit(samples, evals);
  EXPECT_TRUE(resumed.out_of_time);
  EXPECT_EQ(resumed.steps, 5);
  EXPECT_EQ(resumed.best_epoch, 0);
  EXPECT_EQ(max_difference(weights(model), weights(again)), 0.0);
  std::size_t validations = 0;
  for (const auto& record : read_metrics(options.out_dir)) validations += record["type"] == "eval";
  EXPECT_EQ(validations, 1u);
  EXPECT_TRUE(fs::exists(options.out_dir / "final_checkpoint" / "tiny.pt"));
}

TEST(Trainer, RefusesToOverwriteARunAndChecksResumeOptions) {
  auto samples = make_samples(16, 5);
  Distributed single(DistributedEnv{});
  TinyCausalLm model(1);
  auto options = small_options(fresh_dir("guard"));
  options.max_steps = 1;
  Trainer(model, single, options).fit(samples, {});
  EXPECT_THROW(Trainer(model, single, options).fit(samples, {}), InputError);
  options.resume = true;
  options.seed = 43;
  EXPECT_THROW(Trainer(model, single, options).fit(samples, {}), InputError);
}

TEST(Trainer, EarlyStoppingKeepsTheBestEpoch) {
  // A learning rate far too high makes the validation loss rise after the first epoch.
  auto samples = make_samples(16, 6);
  std::vector<EvalSet> evals = {{"valid", make_samples(8, 7)}, {"other", make_samples(4, 8)}};
  Distributed single(DistributedEnv{});
  TinyCausalLm model(2);
  auto options = small_options(fresh_dir("early"));
  options.epochs = 8;
  options.patience = 2;
  options.lr = 3.0;
  options.warmup_steps = 0;
  options.max_grad_norm = 0.0;
  auto result = Trainer(model, single, options).fit(samples, evals);
  auto records = read_metrics(options.out_dir);
  std::vector<double> losses;
  for (const auto& r : records)
    if (r["type"] == "eval") {
      losses.push_back(r["valid_loss"].get<double>());
      EXPECT_TRUE(r.contains("other_loss"));
    }
  ASSERT_FALSE(losses.empty());
  std::size_t best = std::min_element(losses.begin(), losses.end()) - losses.begin();
  EXPECT_EQ(result.best_epoch, static_cast<std::int64_t>(best));
  EXPECT_NEAR(result.best_loss, losses[best], 1e-12);
  // Stops exactly `patience` epochs after the best one (or runs out of epochs).
  if (result.stopped_early) EXPECT_EQ(losses.size(), best + 1 + 2);
  EXPECT_TRUE(result.stopped_early || losses.size() == 8u);
  EXPECT_TRUE(fs::exists(options.out_dir / "final_checkpoint" / "tiny.pt"));
}

std::vector<torch::Tensor> saved_tiny_weights(const fs::path& file) {
  TinyCausalLm model(0);
  torch::serialize::InputArchive archive;
  archive.load_from(file.string());
  model.net()->load(archive);
  return weights(model);
}

// The saved model of an EMA run against the average computed here from the plain run's weights after every step
// (taken by pausing and resuming one step at a time, which the test above shows changes nothing).
TEST(Trainer, EmaRunSavesTheAverageOfTheWeightsAfterEachStep) {
  auto samples = make_samples(24, 12);
  Distributed single(DistributedEnv{});
  auto options = small_options(fresh_dir("ema_steps"));  // 3 steps an epoch, 2 epochs
  options.max_steps = 1;
  TinyCausalLm stepped(8);
  std::vector<std::vector<torch::Tensor>> trajectory = {weights(stepped)};
  for (int i = 0; i < 6; ++i) {
    options.resume = i > 0;
    Trainer(stepped, single, options).fit(samples, {});
    trajectory.push_back(weights(stepped));
  }
  const double decay = 0.6;
  std::vector<torch::Tensor> average;
  for (const auto& w : trajectory[0]) average.push_back(w.to(torch::kFloat64));
  for (std::size_t n = 1; n < trajectory.size(); ++n) {
    double d = std::min(decay, (1.0 + static_cast<double>(n)) / (10.0 + static_cast<double>(n)));
    for (std::size_t i = 0; i < average.size(); ++i)
      average[i] = d * average[i] + (1 - d) * trajectory[n][i].to(torch::kFloat64);
  }

  auto ema_options = small_options(fresh_dir("ema_run"));
  ema_options.ema_decay = decay;
  TinyCausalLm model(8);
  auto result = Trainer(model, single, ema_options).fit(samples, {});
  EXPECT_EQ(result.steps, 6);
  // Training itself is unchanged; the saved model is the average.
  EXPECT_EQ(max_difference(weights(model), trajectory.back()), 0.0);
  auto saved = saved_tiny_weights(ema_options.out_dir / "final_checkpoint" / "tiny.pt");
  ASSERT_EQ(saved.size(), average.size());
  for (std::size_t i = 0; i < saved.size(); ++i)
    EXPECT_LT((saved[i].to(torch::kFloat64) - average[i]).abs().max().item<double>(), 1e-6) << i;
  EXPECT_GT(max_difference(saved, trajectory.back()), 1e-4);
}

// Validation scores the average, and a paused run with an average and an epoch transform resumes exactly.
TEST(Trainer, EmaAndEpochTransformResumeExactly) {
  auto samples = make_samples(40, 3);
  std::vector<EvalSet> evals = {{"valid", make_samples(6, 4)}};
  Distributed single(DistributedEnv{});
  std::vector<std::int64_t> epochs_seen;
  // Drops the first token of every sample on odd epochs (labels stay aligned with their tokens).
  EpochSamples transform = [&epochs_seen](const std::vector<Sample>& base, std::int64_t epoch) {
    epochs_seen.push_back(epoch);
    auto out = base;
    if (epoch % 2 == 1)
      for (auto& s : out) {
        s.input_ids.erase(s.input_ids.begin());
        s.labels.erase(s.labels.begin());
      }
    return out;
  };
  auto options = small_options(fresh_dir("ema_straight"));
  options.epochs = 3;
  options.ema_decay = 0.8;
  options.augment = "test";
  TinyCausalLm straight(5);
  auto expected = Trainer(straight, single, options).fit(samples, evals, transform);
  EXPECT_EQ(epochs_seen, (std::vector<std::int64_t>{0, 1, 2}));

  // The recorded validation loss is the loss of the saved (averaged) best model.
  auto records = read_metrics(options.out_dir);
  auto best = saved_tiny_weights(options.out_dir / "final_checkpoint" / "tiny.pt");
  TinyCausalLm reloaded(0);
  {
    torch::NoGradGuard no_grad;
    auto params = reloaded.module().parameters();
    for (std::size_t i = 0; i < params.size(); ++i) params[i].copy_(best[i]);
  }
  auto check_options = small_options(fresh_dir("ema_check"));
  double reloaded_loss = Trainer(reloaded, single, check_options).evaluate(evals[0].samples);
  EXPECT_NEAR(reloaded_loss, expected.best_loss, 1e-6);

  auto paused_options = options;
  paused_options.out_dir = fresh_dir("ema_paused");
  paused_options.max_steps = 7;
  TinyCausalLm first(5);
  Trainer(first, single, paused_options).fit(samples, evals, transform);
  paused_options.max_steps = 0;
  paused_options.resume = true;
  auto changed = paused_options;
  changed.ema_decay = 0.5;
  TinyCausalLm other(1);
  EXPECT_THROW(Trainer(other, single, changed).fit(samples, evals, transform), InputError);
  TinyCausalLm second(99);
  auto resumed = Trainer(second, single, paused_options).fit(samples, evals, transform);
  EXPECT_EQ(max_difference(weights(straight), weights(second)), 0.0);
  EXPECT_EQ(resumed.best_loss, expected.best_loss);
  EXPECT_EQ(max_difference(best, saved_tiny_weights(paused_options.out_dir / "final_checkpoint" / "tiny.pt")), 0.0);
  auto b = read_metrics(paused_options.out_dir);
  ASSERT_EQ(records.size(), b.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    records[i].erase("tokens_per_s");
    b[i].erase("tokens_per_s");
    EXPECT_EQ(records[i], b[i]) << i;
  }
}

// ---- data parallel: this test binary re-runs itself as the ranks ---------------------------------------------

std::vector<Sample> ddp_samples() { return make_samples(36, 11); }

TrainerOptions ddp_options(const fs::path& out) {
  auto options = small_options(out);
  options.global_batch = 12;
  options.micro_batch = 3;
  return options;
}

void save_weights(CausalLm& model, const fs::path& path) {
  torch::serialize::OutputArchive archive;
  model.module().save(archive);
  archive.save_to(path.string());
}

// Runs only as a child rank (SIDR_DDP_TEST_OUT set by the test below).
TEST(DistributedChild, Rank) {
  const char* out = std::getenv("SIDR_DDP_TEST_OUT");
  if (out == nullptr) GTEST_SKIP() << "runs as a rank of Distributed.TwoRanksMatchOneRank";
  Distributed distributed(DistributedEnv::from_environment());
  ASSERT_STREQ(distributed.backend(), "gloo");
  // Different initial weights per rank: the broadcast from rank 0 must make them equal.
  TinyCausalLm model(distributed.rank() == 0 ? 21 : 22);
  auto result = Trainer(model, distributed, ddp_options(out)).fit(ddp_samples(), {{"valid", make_samples(7, 12)}});
  ASSERT_TRUE(result.finished);
  save_weights(model, fs::path(out) / ("rank" + std::to_string(distributed.rank()) + ".pt"));
}

pid_t spawn_rank(int rank, const fs::path& out, int port) {
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) env_strings.emplace_back(*e);
  env_strings.push_back("RANK=" + std::to_string(rank));
  env_strings.push_back("WORLD_SIZE=2");
  env_strings.push_back("MASTER_ADDR=127.0.0.1");
  env_strings.push_back("MASTER_PORT=" + std::to_string(port));
  env_strings.push_back("SIDR_DDP_TEST_OUT=" + out.string());
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::string self = fs::read_symlink("/proc/self/exe").string();
  std::string filter = "--gtest_filter=DistributedChild.Rank";
  char* argv[] = {self.data(), filter.data(), nullptr};
  pid_t pid = 0;
  if (posix_spawn(&pid, self.c_str(), nullptr, nullptr, argv, envp.data()) != 0) return -1;
  return pid;
}

TEST(Distributed, TwoRanksMatchOneRank) {
#ifdef SIDR_NO_GLOO
  GTEST_SKIP() << "this build has no gloo headers: no CPU ranks";
#endif
  fs::path out = fresh_dir("ddp2");
  fs::create_directories(out);
  int port = 20000 + static_cast<int>(getpid() % 20000);
  pid_t a = spawn_rank(0, out, port);
  pid_t b = spawn_rank(1, out, port);
  ASSERT_GT(a, 0);
  ASSERT_GT(b, 0);
  int status_a = 0, status_b = 0;
  waitpid(a, &status_a, 0);
  waitpid(b, &status_b, 0);
  ASSERT_TRUE(WIFEXITED(status_a) && WEXITSTATUS(status_a) == 0);
  ASSERT_TRUE(WIFEXITED(status_b) && WEXITSTATUS(status_b) == 0);

  Distributed single(DistributedEnv{});
  TinyCausalLm reference(21);
  Trainer(reference, single, ddp_options(fresh_dir("ddp1"))).fit(ddp_samples(), {{"valid", make_samples(7, 12)}});
  for (int rank = 0; rank < 2; ++rank) {
    TinyCausalLm loaded(0);
    torch::serialize::InputArchive archive;
    archive.load_from((out / ("rank" + std::to_string(rank) + ".pt")).string());
    loaded.module().load(archive);
    EXPECT_LT(max_difference(weights(reference), weights(loaded)), 1e-5) << "rank " << rank;
  }
  // Rank 0 wrote the same metrics as the single process (the losses are global).
  auto one = read_metrics(fs::path(SIDR_BINARY_DIR) / "test_tmp" / "train" / "ddp1");
  auto two = read_metrics(out);
  ASSERT_EQ(one.size(), two.size());
  for (std::size_t i = 0; i < one.size(); ++i)
    if (one[i]["type"] == "train") EXPECT_NEAR(one[i]["loss"].get<double>(), two[i]["loss"].get<double>(), 1e-5);
}

}  // namespace
}  // namespace sidr::train
