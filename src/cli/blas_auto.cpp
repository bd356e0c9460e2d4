#include "cli/blas_auto.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "util/blas_kernel.h"

namespace sidr::cli {
namespace {

std::optional<std::string> env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string cpu_model_name() {
  std::istringstream lines(read_text("/proc/cpuinfo"));
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("model name", 0) != 0) continue;
    auto colon = line.find(':');
    return colon == std::string::npos ? "" : line.substr(colon + 2);
  }
  return "";
}

std::string self_exe() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : p.string();
}

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::filesystem::path cache_file() {
  if (auto xdg = env("XDG_CACHE_HOME"); xdg && !xdg->empty()) return std::filesystem::path(*xdg) / "sidreasoner/blas-kernel.json";
  if (auto home = env("HOME"); home && !home->empty()) return std::filesystem::path(*home) / ".cache/sidreasoner/blas-kernel.json";
  return {};
}

const std::set<std::string>& user_facing_commands() {
  static const std::set<std::string> names{"pipeline", "sft", "evaluate", "rl", "serve"};
  return names;
}

// The first argument that is not an option: the subcommand.
std::string subcommand_of(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (argv[i][0] != '-') return argv[i];
  return "";
}

}  // namespace

std::string openblas_corename() {
  using CoreName = char* (*)();
  auto fn = reinterpret_cast<CoreName>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
  if (fn == nullptr) return "";
  const char* name = fn();
  return name == nullptr ? "" : std::string(name);
}

std::string best_kernel_for_this_cpu() {
  return util::coretype_name(util::best_tier_for_flags(util::cpu_flags_from_cpuinfo(read_text("/proc/cpuinfo"))));
}

std::optional<double> measure_gemm_in_child(const std::optional<std::string>& coretype) {
  const std::string exe = self_exe();
  if (exe.empty()) return std::nullopt;
  std::string command = coretype ? "OPENBLAS_CORETYPE=" + shell_quote(*coretype) + " " : "env -u OPENBLAS_CORETYPE ";
  command += "SIDR_BLAS_AUTO=0 " + shell_quote(exe) + " doctor --gemm-probe 2>/dev/null";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return std::nullopt;
  char buffer[128] = {0};
  std::string out;
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) out += buffer;
  if (pclose(pipe) != 0) return std::nullopt;
  try {
    return std::stod(out);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

bool take_no_blas_auto_flag(int& argc, char** argv) {
  int kept = 0;
  bool found = false;
  for (int i = 0; i < argc; ++i) {
    if (i > 0 && std::strcmp(argv[i], "--no-blas-auto") == 0) {
      found = true;
      continue;
    }
    argv[kept++] = argv[i];
  }
  argv[kept] = nullptr;
  argc = kept;
  if (found) setenv("SIDR_BLAS_AUTO", "0", 1);
  return found;
}

void maybe_reexec_with_faster_blas(int argc, char** argv) {
  if (user_facing_commands().count(subcommand_of(argc, argv)) == 0) return;
  util::BlasAutoInputs in;
  in.env_coretype = env("OPENBLAS_CORETYPE");
  in.env_auto = env("SIDR_BLAS_AUTO");
  in.corename = openblas_corename();
  in.best_allowed = util::best_tier_for_flags(util::cpu_flags_from_cpuinfo(read_text("/proc/cpuinfo")));
  auto candidate = util::blas_kernel_candidate(in);
  if (!candidate) return;

  // One measurement per (CPU, OpenBLAS choice, candidate), cached: later runs decide without measuring.
  const std::string key = cpu_model_name() + " | " + in.corename + " -> " + *candidate;
  const auto cache = cache_file();
  nlohmann::json cached = nlohmann::json::object();
  if (!cache.empty() && std::filesystem::exists(cache)) {
    try {
      cached = nlohmann::json::parse(read_text(cache.string()));
    } catch (const std::exception&) {
      cached = nlohmann::json::object();  // a damaged cache is measured again
    }
  }
  if (!cached.is_object()) cached = nlohmann::json::object();
  bool use;
  if (cached.contains(key) && cached[key].contains("use") && cached[key]["use"].is_boolean()) {
    use = cached[key]["use"].get<bool>();
  } else {
    auto base = measure_gemm_in_child(std::nullopt);
    auto better = measure_gemm_in_child(*candidate);
    use = base && better && *better >= util::kBlasWorthwhileSpeedup * *base;
    fmt::print(stderr, "blas: OpenBLAS chose {} ({:.1f} GFLOP/s); OPENBLAS_CORETYPE={} gives {:.1f} GFLOP/s: {}\n",
               in.corename, base.value_or(0.0), *candidate, better.value_or(0.0), use ? "using it" : "keeping the default");
    if (!cache.empty()) {
      cached[key] = {{"default_gflops", base.value_or(0.0)}, {"candidate_gflops", better.value_or(0.0)}, {"use", use}};
      std::error_code ec;
      std::filesystem::create_directories(cache.parent_path(), ec);
      std::ofstream(cache) << cached.dump(2) << "\n";
    }
  }
  if (!use) return;
  const std::string exe = self_exe();
  if (exe.empty()) return;
  setenv("OPENBLAS_CORETYPE", candidate->c_str(), 1);
  fmt::print(stderr, "blas: re-running with OPENBLAS_CORETYPE={} (opt out: SIDR_BLAS_AUTO=0 or --no-blas-auto)\n",
             *candidate);
  std::fflush(stderr);
  execv(exe.c_str(), argv);
  unsetenv("OPENBLAS_CORETYPE");  // exec failed: carry on with the default kernel
}

}  // namespace sidr::cli
