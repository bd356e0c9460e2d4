// Resumable training state: counters, early-stopping bookkeeping, and the checkpoint directories that hold it
// with the weights, the optimizer moments and the RNG state.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <optional>

#include <torch/torch.h>

#include "util/json.h"

namespace sidr::train {

struct TrainState {
  std::int64_t global_step = 0;    // optimizer steps done
  std::int64_t epoch = 0;          // current epoch (0-based)
  std::int64_t step_in_epoch = 0;  // steps of `epoch` already done (the data position)
  double best_loss = std::numeric_limits<double>::infinity();
  std::int64_t best_epoch = -1;
  std::int64_t bad_epochs = 0;
  bool stopped_early = false;
  bool out_of_time = false;  // the time budget ended training (no more epochs on resume)
  double last_train_loss = 0.0;

  Json to_json() const;
  static TrainState from_json(const Json& json, const std::string& source);
};

// <out>/checkpoints/step-00000042: weights.pt, optimizer.pt, rng.pt, state.json, options.json.
std::filesystem::path checkpoint_dir(const std::filesystem::path& out_dir, std::int64_t global_step);
// The newest complete checkpoint under <out>/checkpoints (temporary directories are ignored).
std::optional<std::filesystem::path> latest_checkpoint(const std::filesystem::path& out_dir);

// Removes what a killed run's atomic writes left in out_dir: "<name>.tmp.<pid>" / "<name>.old.<pid>" directories
// and files in out_dir and out_dir/checkpoints (a live run's own temporaries carry its pid: kept).
void remove_stale_temporaries(const std::filesystem::path& out_dir);

// Written atomically (temporary directory + rename); older step checkpoints beyond `keep` are removed.
// `extra` (if given) writes more files into the directory before it is committed.
// Writes a torch archive to `file` through memory: a failed write (a full disk) is then one Error naming the
// file, where torch's file writer throws again from its destructor and aborts the process.
void save_archive(torch::serialize::OutputArchive& archive, const std::filesystem::path& file);

void save_checkpoint(const std::filesystem::path& out_dir, torch::nn::Module& module, torch::optim::Optimizer& optimizer,
                     const TrainState& state, const Json& options, std::int64_t keep,
                     const std::function<void(const std::filesystem::path&)>& extra = {});
// Weights only (call before the optimizer is built so its parameters already hold the values).
void load_checkpoint_weights(const std::filesystem::path& dir, torch::nn::Module& module);
// Optimizer moments, RNG state and counters. The options saved with the checkpoint are returned for checks.
TrainState load_checkpoint_state(const std::filesystem::path& dir, torch::optim::Optimizer& optimizer, Json& options);

}  // namespace sidr::train
