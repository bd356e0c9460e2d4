#include "train/train_state.h"

#include <sstream>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>  // fmt::join (in ranges.h from fmt 11)

#include "util/error.h"
#include "util/file_io.h"

namespace sidr::train {
namespace fs = std::filesystem;

Json TrainState::to_json() const {
  Json json;
  json["global_step"] = global_step;
  json["epoch"] = epoch;
  json["step_in_epoch"] = step_in_epoch;
  json["best_loss"] = best_epoch >= 0 ? Json(best_loss) : Json(nullptr);
  json["best_epoch"] = best_epoch;
  json["bad_epochs"] = bad_epochs;
  json["stopped_early"] = stopped_early;
  json["out_of_time"] = out_of_time;
  json["last_train_loss"] = last_train_loss;
  return json;
}

TrainState TrainState::from_json(const Json& json, const std::string& source) {
  TrainState state;
  try {
    state.global_step = json.at("global_step").get<std::int64_t>();
    state.epoch = json.at("epoch").get<std::int64_t>();
    state.step_in_epoch = json.at("step_in_epoch").get<std::int64_t>();
    state.best_epoch = json.at("best_epoch").get<std::int64_t>();
    if (!json.at("best_loss").is_null()) state.best_loss = json.at("best_loss").get<double>();
    state.bad_epochs = json.at("bad_epochs").get<std::int64_t>();
    state.stopped_early = json.at("stopped_early").get<bool>();
    state.out_of_time = json.value("out_of_time", false);  // absent in checkpoints of older builds
    state.last_train_loss = json.at("last_train_loss").get<double>();
  } catch (const Json::exception& error) {
    throw InputError(fmt::format("{}: {}", source, error.what()));
  }
  return state;
}

fs::path checkpoint_dir(const fs::path& out_dir, std::int64_t global_step) {
  return out_dir / "checkpoints" / fmt::format("step-{:08d}", global_step);
}

namespace {

std::vector<std::pair<std::int64_t, fs::path>> list_checkpoints(const fs::path& out_dir) {
  std::vector<std::pair<std::int64_t, fs::path>> found;
  fs::path root = out_dir / "checkpoints";
  std::error_code error;
  if (!fs::is_directory(root, error)) return found;
  for (const auto& entry : fs::directory_iterator(root)) {
    std::string name = entry.path().filename().string();
    if (name.size() != 13 || name.rfind("step-", 0) != 0 || !entry.is_directory()) continue;
    if (name.find_first_not_of("0123456789", 5) != std::string::npos) continue;
    if (!fs::exists(entry.path() / "state.json")) continue;
    found.emplace_back(std::stoll(name.substr(5)), entry.path());
  }
  std::sort(found.begin(), found.end());
  return found;
}

}  // namespace

// A torch (de)serialisation error as one line naming the file; `Kind` is InputError for reads, Error for writes.
template <typename Kind, typename Body>
void naming_file(const fs::path& file, const char* doing, Body&& body) {
  try {
    body();
  } catch (const c10::Error& e) {
    std::string message = e.what_without_backtrace();
    throw Kind(fmt::format("{}: cannot {}: {}", file.string(), doing, message.substr(0, message.find('\n'))));
  }
}

void remove_stale_temporaries(const fs::path& out_dir) {
  const std::string own = "." + std::to_string(::getpid());
  for (const fs::path& root : {out_dir, out_dir / "checkpoints"}) {
    std::error_code error;
    if (!fs::is_directory(root, error)) continue;
    for (const auto& entry : fs::directory_iterator(root, error)) {
      const std::string name = entry.path().filename().string();
      auto mark = name.find(".tmp.");
      if (mark == std::string::npos) mark = name.find(".old.");
      if (mark == std::string::npos || mark == 0) continue;
      const std::string pid = name.substr(mark + 5);
      if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos || "." + pid == own) continue;
      fs::remove_all(entry.path(), error);
    }
  }
}

std::optional<fs::path> latest_checkpoint(const fs::path& out_dir) {
  auto found = list_checkpoints(out_dir);
  if (found.empty()) return std::nullopt;
  return found.back().second;
}

void save_archive(torch::serialize::OutputArchive& archive, const fs::path& file) {
  std::ostringstream bytes(std::ios::binary);
  naming_file<Error>(file, "write", [&] { archive.save_to(bytes); });
  write_file_atomic(file, bytes.str());
}

void save_checkpoint(const fs::path& out_dir, torch::nn::Module& module, torch::optim::Optimizer& optimizer,
                     const TrainState& state, const Json& options, std::int64_t keep,
                     const std::function<void(const fs::path&)>& extra) {
  fs::create_directories(out_dir / "checkpoints");
  AtomicDirectory dir(checkpoint_dir(out_dir, state.global_step));
  {
    torch::serialize::OutputArchive archive;
    for (const auto& item : module.named_parameters()) archive.write(item.key(), item.value().detach());
    for (const auto& item : module.named_buffers()) archive.write(item.key(), item.value(), /*is_buffer=*/true);
    save_archive(archive, dir.path() / "weights.pt");
  }
  {
    torch::serialize::OutputArchive archive;
    optimizer.save(archive);
    save_archive(archive, dir.path() / "optimizer.pt");
  }
  {
    torch::serialize::OutputArchive archive;
    auto generator = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(generator.mutex());
    archive.write("cpu", generator.get_state());
    save_archive(archive, dir.path() / "rng.pt");
  }
  if (extra) extra(dir.path());
  write_file_atomic(dir.path() / "options.json", options.dump(2) + "\n");
  write_file_atomic(dir.path() / "state.json", state.to_json().dump(2) + "\n");
  dir.commit();
  auto found = list_checkpoints(out_dir);
  for (std::size_t i = 0; i + static_cast<std::size_t>(std::max<std::int64_t>(keep, 1)) < found.size(); ++i)
    fs::remove_all(found[i].second);
}

void load_checkpoint_weights(const fs::path& dir, torch::nn::Module& module) {
  torch::serialize::InputArchive archive;
  naming_file<InputError>(dir / "weights.pt", "read", [&] { archive.load_from((dir / "weights.pt").string()); });
  torch::NoGradGuard no_grad;
  for (auto& item : module.named_parameters()) {
    torch::Tensor value;
    if (!archive.try_read(item.key(), value))
      throw InputError(fmt::format("{}: no tensor '{}' (checkpoint of another model?)", (dir / "weights.pt").string(),
                                   item.key()));
    if (value.sizes() != item.value().sizes())
      throw InputError(fmt::format("{}: tensor '{}' has shape {} but the model has {}", (dir / "weights.pt").string(),
                                   item.key(), fmt::join(value.sizes(), "x"), fmt::join(item.value().sizes(), "x")));
    item.value().copy_(value);
  }
  for (auto& item : module.named_buffers()) {
    torch::Tensor value;
    if (archive.try_read(item.key(), value, /*is_buffer=*/true)) item.value().copy_(value);
  }
}

TrainState load_checkpoint_state(const fs::path& dir, torch::optim::Optimizer& optimizer, Json& options) {
  {
    torch::serialize::InputArchive archive;
    naming_file<InputError>(dir / "optimizer.pt", "read", [&] {
      archive.load_from((dir / "optimizer.pt").string());
      optimizer.load(archive);
    });
  }
  naming_file<InputError>(dir / "rng.pt", "read", [&] {
    torch::serialize::InputArchive archive;
    archive.load_from((dir / "rng.pt").string());
    torch::Tensor state;
    archive.read("cpu", state);
    auto generator = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(generator.mutex());
    generator.set_state(state);
  });
  options = read_json_file(dir / "options.json");
  return TrainState::from_json(read_json_file(dir / "state.json"), (dir / "state.json").string());
}

}  // namespace sidr::train
