// Which OpenBLAS kernel a CPU allows, and whether a user-facing run should re-exec itself with it.
// Pure functions (no BLAS, no environment access) so the decision is unit-tested; src/cli/blas_auto.cpp does
// the dlsym, the measurement and the exec.
#pragma once
#include <optional>
#include <set>
#include <string>

namespace sidr::util {

// The x86-64 kernel families OpenBLAS's DYNAMIC_ARCH build dispatches to, weakest first.
enum class BlasTier { Unknown = 0, Prescott, Nehalem, SandyBridge, Haswell, SkylakeX };

// The flags of the first "flags" line of a /proc/cpuinfo text (empty when there is none).
std::set<std::string> cpu_flags_from_cpuinfo(const std::string& cpuinfo);

// The strongest tier these flags allow: avx512f+bw+dq+vl -> SkylakeX, avx2+fma -> Haswell, avx -> SandyBridge,
// sse4_2 -> Nehalem, sse3 (pni) -> Prescott.
BlasTier best_tier_for_flags(const std::set<std::string>& flags);

// The OPENBLAS_CORETYPE value that selects a tier ("SkylakeX", "Haswell", ...); empty for Unknown.
std::string coretype_name(BlasTier tier);

// The tier of a name openblas_get_corename() returns (case-insensitive; Zen -> Haswell, CooperLake and
// SapphireRapids -> SkylakeX, Atom/Core2/Penryn/Dunnington -> Prescott); Unknown for others.
BlasTier tier_of_corename(const std::string& corename);

// What a user-facing run does about the kernel, decided before any BLAS call.
struct BlasAutoInputs {
  std::optional<std::string> env_coretype;  // OPENBLAS_CORETYPE as the environment set it
  std::optional<std::string> env_auto;      // SIDR_BLAS_AUTO
  bool opt_out_flag = false;                // --no-blas-auto on the command line
  std::string corename;                     // what OpenBLAS chose (empty: not OpenBLAS / symbol missing)
  BlasTier best_allowed = BlasTier::Unknown;
};

// The kernel worth trying instead of OpenBLAS's choice, or nullopt: never when the environment set
// OPENBLAS_CORETYPE (that value is always kept), when SIDR_BLAS_AUTO is 0/off/false/no, with --no-blas-auto,
// when the BLAS is not OpenBLAS or its kernel is not one
// this table ranks, or when OpenBLAS already chose a kernel at least as strong.
std::optional<std::string> blas_kernel_candidate(const BlasAutoInputs& in);

// Whether a measured speed-up is worth switching kernels for (and worth a doctor warning).
constexpr double kBlasWorthwhileSpeedup = 1.3;

}  // namespace sidr::util
