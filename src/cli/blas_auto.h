// The OpenBLAS kernel at the CLI edge: what OpenBLAS chose (dlsym, so another BLAS is fine), a GEMM rate
// measured in a child process under a given OPENBLAS_CORETYPE, and the re-exec of user-facing runs.
#pragma once
#include <optional>
#include <string>

namespace sidr::cli {

// openblas_get_corename() of the BLAS mapped into this process; empty when that symbol is missing.
std::string openblas_corename();

// The strongest OpenBLAS kernel /proc/cpuinfo's flags allow ("SkylakeX", "Haswell", ...; empty if unknown).
std::string best_kernel_for_this_cpu();

// Runs `<this binary> doctor --gemm-probe` with OPENBLAS_CORETYPE set to `coretype` (unset when nullopt) and
// SIDR_BLAS_AUTO=0; its GFLOP/s, or nullopt when the child failed.
std::optional<double> measure_gemm_in_child(const std::optional<std::string>& coretype);

// Removes every `--no-blas-auto` from argv (it may stand anywhere) and, when one was there, sets
// SIDR_BLAS_AUTO=0 so the stages a pipeline spawns keep the choice. Returns whether one was removed.
bool take_no_blas_auto_flag(int& argc, char** argv);

// For the user-facing commands (pipeline, sft, evaluate, rl, serve): when OPENBLAS_CORETYPE is unset, no
// opt-out is given and OpenBLAS chose a weaker kernel than the CPU allows, measure both once (cached in
// $XDG_CACHE_HOME/sidreasoner/blas-kernel.json, else ~/.cache/...) and, if the better one is at least
// kBlasWorthwhileSpeedup faster, execv this binary again with OPENBLAS_CORETYPE set. Returns only when it
// does not re-exec. Must run before any BLAS call (OpenBLAS reads the variable when it is loaded).
void maybe_reexec_with_faster_blas(int argc, char** argv);

}  // namespace sidr::cli
