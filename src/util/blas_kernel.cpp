#include "util/blas_kernel.h"

#include <algorithm>
#include <cctype>
#include <sstream>

namespace sidr::util {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

std::set<std::string> cpu_flags_from_cpuinfo(const std::string& cpuinfo) {
  std::istringstream lines(cpuinfo);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("flags", 0) != 0) continue;
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::istringstream words(line.substr(colon + 1));
    std::set<std::string> flags;
    for (std::string w; words >> w;) flags.insert(w);
    return flags;
  }
  return {};
}

BlasTier best_tier_for_flags(const std::set<std::string>& flags) {
  auto has = [&](const char* f) { return flags.count(f) > 0; };
  if (has("avx512f") && has("avx512bw") && has("avx512dq") && has("avx512vl")) return BlasTier::SkylakeX;
  if (has("avx2") && has("fma")) return BlasTier::Haswell;
  if (has("avx")) return BlasTier::SandyBridge;
  if (has("sse4_2")) return BlasTier::Nehalem;
  if (has("pni") || has("sse3")) return BlasTier::Prescott;
  return BlasTier::Unknown;
}

std::string coretype_name(BlasTier tier) {
  switch (tier) {
    case BlasTier::SkylakeX: return "SkylakeX";
    case BlasTier::Haswell: return "Haswell";
    case BlasTier::SandyBridge: return "SandyBridge";
    case BlasTier::Nehalem: return "Nehalem";
    case BlasTier::Prescott: return "Prescott";
    case BlasTier::Unknown: break;
  }
  return "";
}

BlasTier tier_of_corename(const std::string& corename) {
  const std::string n = lower(corename);
  if (n == "skylakex" || n == "cooperlake" || n == "sapphirerapids") return BlasTier::SkylakeX;
  if (n == "haswell" || n == "zen" || n == "skylake") return BlasTier::Haswell;
  if (n == "sandybridge" || n == "bulldozer" || n == "piledriver" || n == "steamroller" || n == "excavator")
    return BlasTier::SandyBridge;
  if (n == "nehalem" || n == "barcelona" || n == "bobcat") return BlasTier::Nehalem;
  if (n == "prescott" || n == "core2" || n == "penryn" || n == "dunnington" || n == "atom" || n == "opteron" ||
      n == "opteron_sse3" || n == "katmai" || n == "coppermine" || n == "northwood" || n == "banias")
    return BlasTier::Prescott;
  return BlasTier::Unknown;
}

std::optional<std::string> blas_kernel_candidate(const BlasAutoInputs& in) {
  if (in.env_coretype) return std::nullopt;  // the environment's value is always kept, even an empty one
  if (in.env_auto) {
    const std::string v = lower(*in.env_auto);
    if (v == "0" || v == "off" || v == "false" || v == "no") return std::nullopt;
  }
  if (in.opt_out_flag || in.corename.empty()) return std::nullopt;
  const BlasTier chosen = tier_of_corename(in.corename);
  if (chosen == BlasTier::Unknown || in.best_allowed == BlasTier::Unknown || chosen >= in.best_allowed) return std::nullopt;
  return coretype_name(in.best_allowed);
}

}  // namespace sidr::util
