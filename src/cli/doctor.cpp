// `sidreasoner doctor`: what this machine gives the project (libtorch, threads, BLAS, measured GEMM rate).
#include <chrono>
#include <fstream>
#include <set>
#include <string>

#include <fmt/format.h>
#include <torch/torch.h>
#include <torch/version.h>

#include "cli/command.h"

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

void run_doctor() {
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
  if (!openblas || gflops < 20.0) {
    fmt::print(
        "warning: this looks like reference BLAS (no OpenBLAS mapped, or under 20 GFLOP/s); matrix products will "
        "be about 20x slower. Install libopenblas0-pthread (scripts/install-deps.sh does).\n");
  }
}

void setup(CLI::App& root) {
  auto* cmd = root.add_subcommand("doctor", "Print libtorch version, threads, BLAS in use and a measured GEMM rate");
  cmd->callback(run_doctor);
}

}  // namespace
SIDR_COMMAND(90, setup);
}  // namespace sidr::cli
