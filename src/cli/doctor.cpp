// `sidreasoner doctor`: what this machine gives the project (libtorch, threads, BLAS, measured GEMM rate).
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <set>
#include <string>

#include <fmt/format.h>
#include <torch/torch.h>
#include <torch/version.h>

#include "cli/blas_auto.h"
#include "cli/command.h"
#include "util/blas_kernel.h"

namespace sidr::cli {
namespace {

// BLAS libraries mapped into this process, read from /proc/self/maps (resolves Debian's alternatives).
std::set<std::string> loaded_blas_libraries() {
  std::set<std::string> found;
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    auto slash = line.find('/');
    if (slash == std::string::npos) continue;
    std::string path = line.substr(slash);
    if (path.find("blas") != std::string::npos || path.find("lapack") != std::string::npos ||
        path.find("mkl") != std::string::npos)
      found.insert(path);
  }
  return found;
}

// Single-precision GEMM rate in GFLOP/s: best of several n x n products.
double measure_gemm_gflops(int n, int repeats) {
  torch::NoGradGuard no_grad;
  auto a = torch::randn({n, n});
  auto b = torch::randn({n, n});
  auto c = torch::matmul(a, b);  // warm-up
  double best = 1e30;
  for (int r = 0; r < repeats; ++r) {
    auto start = std::chrono::steady_clock::now();
    c = torch::matmul(a, b);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    best = std::min(best, seconds);
  }
  return 2.0 * n * n * n / best / 1e9;
}

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v == nullptr ? fallback : std::string(v);
}

// The OpenBLAS kernel in use, the one the CPU allows and, when they differ, both rates measured in child
// processes (OPENBLAS_CORETYPE is read once, when OpenBLAS is loaded), with a warning when switching pays.
void report_blas_kernel(double gflops_here) {
  const std::string corename = openblas_corename();
  const std::string coretype = env_or("OPENBLAS_CORETYPE", "<unset>");
  if (corename.empty()) {
    fmt::print("blas kernel     unknown (no openblas_get_corename in this BLAS)\n");
    return;
  }
  const std::string best = best_kernel_for_this_cpu();
  fmt::print("blas kernel     {} (OPENBLAS_CORETYPE={})\n", corename, coretype);
  fmt::print("cpu allows      {}\n", best.empty() ? "<unknown>" : best);
  const util::BlasTier chosen = util::tier_of_corename(corename);
  const util::BlasTier allowed = util::tier_of_corename(best);
  if (best.empty() || chosen == util::BlasTier::Unknown || chosen >= allowed) return;
  if (env_or("SIDR_BLAS_AUTO", "1") == "0") {
    fmt::print("sgemm {:<10}not measured (SIDR_BLAS_AUTO=0 keeps OpenBLAS as the environment set it)\n", best);
    return;
  }
  auto other = measure_gemm_in_child(best);
  if (!other) {
    fmt::print("sgemm {:<10}could not be measured in a child process\n", best);
    return;
  }
  fmt::print("sgemm {:<10}{:.1f} GFLOP/s (OPENBLAS_CORETYPE={}, child process)\n", best, *other, best);
  if (*other >= util::kBlasWorthwhileSpeedup * gflops_here) {
    fmt::print(
        "warning: OPENBLAS_CORETYPE={} multiplies matrix products by {:.1f}x on this CPU; set it "
        "(export OPENBLAS_CORETYPE={}) or let pipeline/sft/evaluate pick it (they do unless the variable is set, "
        "SIDR_BLAS_AUTO=0 or --no-blas-auto)\n",
        best, *other / gflops_here, best);
  }
}

void run_doctor(bool gemm_probe) {
  if (gemm_probe) {  // the child of report_blas_kernel / maybe_reexec_with_faster_blas: one number
    fmt::print("{:.3f}\n", measure_gemm_gflops(1024, 5));
    return;
  }
  fmt::print("libtorch        {}\n", TORCH_VERSION);
  fmt::print("intra-op threads {}\n", at::get_num_threads());
  fmt::print("cuda available  {}\n", torch::cuda::is_available() ? "yes" : "no");
  auto blas = loaded_blas_libraries();
  bool openblas = false;
  for (const auto& path : blas) {
    fmt::print("blas library    {}\n", path);
    if (path.find("openblas") != std::string::npos || path.find("mkl") != std::string::npos) openblas = true;
  }
  double gflops = measure_gemm_gflops(1024, 5);
  fmt::print("sgemm 1024      {:.1f} GFLOP/s\n", gflops);
  report_blas_kernel(gflops);
  if (!openblas || gflops < 20.0) {
    fmt::print(
        "warning: this looks like reference BLAS (no OpenBLAS mapped, or under 20 GFLOP/s); matrix products will "
        "be about 20x slower. Install libopenblas0-pthread (scripts/install-deps.sh does).\n");
  }
}

void setup(CLI::App& root) {
  auto* cmd = root.add_subcommand("doctor", "Print libtorch version, threads, BLAS in use and a measured GEMM rate");
  static bool gemm_probe = false;
  cmd->add_flag("--gemm-probe", gemm_probe, "Print only the measured sgemm GFLOP/s (used by the kernel check)");
  cmd->callback([] { run_doctor(gemm_probe); });
}

}  // namespace
SIDR_COMMAND(90, setup);
}  // namespace sidr::cli
