#include "pipeline/runner.h"

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>

#include "util/error.h"
#include "util/file_io.h"

namespace sidr::pipeline {
namespace fs = std::filesystem;

std::vector<std::string> flags_from_json(const Json& object, const std::vector<std::string>& skip) {
  std::vector<std::string> flags;
  for (auto it = object.begin(); it != object.end(); ++it) {
    if (std::find(skip.begin(), skip.end(), it.key()) != skip.end()) continue;
    std::string flag = "--" + it.key();
    for (auto& c : flag)
      if (c == '_') c = '-';
    const Json& value = *it;
    if (value.is_boolean()) {
      if (value.get<bool>()) flags.push_back(flag);
    } else if (value.is_array()) {
      flags.push_back(flag);
      for (const auto& v : value) flags.push_back(v.is_string() ? v.get<std::string>() : v.dump());
    } else if (value.is_string()) {
      flags.push_back(flag);
      flags.push_back(value.get<std::string>());
    } else if (!value.is_null()) {
      flags.push_back(flag);
      flags.push_back(value.dump());
    }
  }
  return flags;
}

namespace {

std::string quote_command(const std::vector<std::string>& argv) {
  std::string out = "sidreasoner";
  for (const auto& a : argv) {
    bool plain = !a.empty() && a.find_first_of(" \t\"'$\\") == std::string::npos;
    out += " " + (plain ? a : "'" + a + "'");
  }
  return out;
}

struct ChildResult {
  int exit_code;
  double peak_rss_mib;
};

// SIGTERM to the pipeline goes to the stage running under it (an `sft` then saves a checkpoint and stops, see
// docs/train.md); the pipeline waits for it, records the stage as interrupted and exits 128 + SIGTERM.
volatile std::sig_atomic_t running_child = 0;
volatile std::sig_atomic_t terminate_signal = 0;

extern "C" void forward_terminate(int signal) {
  terminate_signal = signal;
  if (running_child > 0) ::kill(static_cast<pid_t>(running_child), signal);
}

void install_terminate_forwarding() {
  static bool installed = false;
  if (installed) return;
  struct sigaction action {};
  action.sa_handler = forward_terminate;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: wait4 returns EINTR and is called again
  ::sigaction(SIGTERM, &action, nullptr);
  installed = true;
}

// Runs this binary with `argv`. With `capture`, its stdout is dropped and its stderr written to that file.
ChildResult run_child(const std::vector<std::string>& argv, const fs::path* capture = nullptr) {
  std::vector<char*> args;
  std::string self = "/proc/self/exe";
  static std::string program = fs::read_symlink(self).string();
  args.push_back(program.data());
  std::vector<std::string> copy = argv;
  for (auto& a : copy) args.push_back(a.data());
  args.push_back(nullptr);
  std::fflush(stdout);
  std::fflush(stderr);
  install_terminate_forwarding();
  if (terminate_signal) return {128 + terminate_signal, 0.0};  // asked to stop before this child started
  pid_t pid = ::fork();
  if (pid < 0) throw Error("pipeline: fork failed");
  if (pid == 0) {
    ::signal(SIGTERM, SIG_DFL);
    if (capture && (!std::freopen("/dev/null", "w", stdout) || !std::freopen(capture->c_str(), "w", stderr)))
      ::_exit(127);
    ::execv(program.c_str(), args.data());
    std::perror("pipeline: exec");
    ::_exit(127);
  }
  running_child = pid;
  if (terminate_signal) ::kill(pid, terminate_signal);  // the signal came between fork and here
  int status = 0;
  struct rusage usage {};
  while (::wait4(pid, &status, 0, &usage) < 0 && errno == EINTR) {
  }
  running_child = 0;
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  return {code, usage.ru_maxrss / 1024.0};  // ru_maxrss is KiB on Linux
}

// Every command line parses (unknown flags, bad values, missing options fail here, before any stage runs):
// each is run once as `sidreasoner --check-args ...`, whose parse error is its one line on stderr.
void check_commands(const std::vector<Stage>& stages) {
  const fs::path errors = fs::temp_directory_path() / fmt::format("sidr_check_args_{}.txt", ::getpid());
  for (const auto& stage : stages)
    for (const auto& argv : stage.commands) {
      std::vector<std::string> check = {"--check-args"};
      check.insert(check.end(), argv.begin(), argv.end());
      if (run_child(check, &errors).exit_code == 0) continue;
      if (terminate_signal) std::exit(128 + terminate_signal);
      std::string reason = fs::exists(errors) ? read_file(errors) : "";
      fs::remove(errors);
      reason = reason.substr(0, reason.find('\n'));
      if (reason.rfind("error: ", 0) == 0) reason = reason.substr(7);
      throw InputError(fmt::format("pipeline: stage {}'s command does not parse: {} ({})", stage.name,
                                   quote_command(argv), reason.empty() ? "no reason given" : reason));
    }
  fs::remove(errors);
}

// The first argument where two command lists differ, for the refusal message.
std::string first_difference(const Json& recorded, const Json& now) {
  auto flat = [](const Json& commands) {
    std::vector<std::string> out;
    for (const auto& argv : commands) {
      for (const auto& a : argv) out.push_back(a.get<std::string>());
      out.push_back(";");
    }
    return out;
  };
  auto a = flat(recorded), b = flat(now);
  std::size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  auto at = [](const std::vector<std::string>& v, std::size_t i) {
    if (i >= v.size()) return std::string("(end)");
    std::string s = i > 0 && v[i - 1].rfind("--", 0) == 0 ? v[i - 1] + " " + v[i] : v[i];
    return "'" + s + "'";
  };
  return fmt::format("was {}, now {}", at(a, i), at(b, i));
}

}  // namespace

Json commands_json(const Stage& stage) {
  Json out = Json::array();
  for (const auto& argv : stage.commands) out.push_back(argv);
  return out;
}

static void check_from_stage(const std::vector<Stage>& stages, const RunnerOptions& options) {
  bool found_from = options.from_stage.empty();
  for (const auto& stage : stages) found_from = found_from || stage.name == options.from_stage;
  if (!found_from) {
    std::string names;
    for (const auto& stage : stages) names += (names.empty() ? "" : ", ") + stage.name;
    throw InputError(fmt::format("--from: unknown stage '{}' (stages: {})", options.from_stage, names));
  }
}

void check_stages(const std::vector<Stage>& stages, const RunnerOptions& options) {
  check_from_stage(stages, options);
  fs::path timings_path = options.run_dir / "timings.json";
  Json timings = fs::exists(timings_path) ? read_json_file(timings_path) : Json::object();
  check_commands(stages);
  check_reusable(stages, options, timings);
}

void check_reusable(const std::vector<Stage>& stages, const RunnerOptions& options, const Json& timings) {
  for (const auto& stage : stages) {
    if (stage.name == options.from_stage) return;  // this stage and all after it are redone
    if (!fs::exists(options.run_dir / stage.done_marker)) continue;
    const Json* entry = timings.contains(stage.name) ? &timings[stage.name] : nullptr;
    if (!entry || !entry->contains("commands")) continue;  // made before commands were recorded: reused as is
    Json now = commands_json(stage);
    if ((*entry)["commands"] != now)
      throw InputError(fmt::format(
          "pipeline: stage {} in {} was made by another command ({}); rerun with --from {} to redo it and the "
          "stages after it, or choose another --out",
          stage.name, options.run_dir.string(), first_difference((*entry)["commands"], now), stage.name));
  }
}

void run_stages(const std::vector<Stage>& stages, const RunnerOptions& options) {
  check_from_stage(stages, options);
  if (!options.dry_run) fs::create_directories(options.run_dir);
  fs::path timings_path = options.run_dir / "timings.json";
  Json timings = fs::exists(timings_path) ? read_json_file(timings_path) : Json::object();
  bool redo = false;
  for (const auto& stage : stages) {
    if (stage.name == options.from_stage) redo = true;
    fs::path marker = options.run_dir / stage.done_marker;
    if (!redo && fs::exists(marker)) {
      fmt::print(stderr, "pipeline: {} done ({} exists), skipped\n", stage.name, marker.string());
      continue;
    }
    fmt::print(stderr, "pipeline: stage {}\n", stage.name);
    auto start = std::chrono::steady_clock::now();
    double peak = 0;
    const bool resume = stage.resumable && !redo &&
                        fs::is_directory(options.run_dir / stage.name / "checkpoints");
    // Redoing a training stage (--from at or before it) starts it afresh: its command would refuse a directory
    // that holds another run's checkpoints.
    if (redo && stage.resumable && !options.dry_run && fs::is_directory(options.run_dir / stage.name)) {
      fmt::print(stderr, "pipeline: redoing {}: removing its earlier output {}\n", stage.name,
                 (options.run_dir / stage.name).string());
      fs::remove_all(options.run_dir / stage.name);
    }
    for (std::vector<std::string> argv : stage.commands) {
      if (resume) argv.push_back("--resume");
      fmt::print(stderr, "  $ {}\n", quote_command(argv));
      if (options.dry_run) continue;
      ChildResult result = run_child(argv);
      peak = std::max(peak, result.peak_rss_mib);
      if (terminate_signal) {
        timings[stage.name] = {{"status", fmt::format("interrupted (signal {}, stage exit {})", terminate_signal,
                                                      result.exit_code)}};
        write_file_atomic(timings_path, timings.dump(2));
        fmt::print(stderr, "pipeline: stopped by signal {} during stage {} (its exit code {}); rerun the same "
                   "command to continue\n", terminate_signal, stage.name, result.exit_code);
        std::exit(128 + terminate_signal);
      }
      if (result.exit_code != 0) {
        timings[stage.name] = {{"status", fmt::format("failed (exit {})", result.exit_code)}};
        write_file_atomic(timings_path, timings.dump(2));
        std::string message = fmt::format("pipeline: stage {} failed (exit code {}); fix the cause and rerun the "
                                          "same command to continue from this stage",
                                          stage.name, result.exit_code);
        if (result.exit_code == 2) throw InputError(message);  // the stage rejected its input: keep exit code 2
        throw Error(message);
      }
    }
    if (options.dry_run) continue;
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    timings[stage.name] = {
        {"seconds", seconds}, {"peak_rss_mib", peak}, {"status", "done"}, {"commands", commands_json(stage)}};
    write_file_atomic(timings_path, timings.dump(2));
    fmt::print(stderr, "pipeline: {} finished in {:.1f} s (peak RSS {:.0f} MiB)\n", stage.name, seconds, peak);
  }
}

}  // namespace sidr::pipeline
