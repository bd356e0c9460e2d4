// The kernel decision: CPU flags -> tier, OpenBLAS corename -> tier, and when a run may switch kernels.
#include "util/blas_kernel.h"

#include <gtest/gtest.h>

namespace sidr::util {
namespace {

TEST(BlasKernel, FlagsReadFromTheFirstFlagsLine) {
  const std::string cpuinfo =
      "processor\t: 0\nmodel name\t: X\nflags\t\t: fpu sse3 avx avx2 fma avx512f\nbugs\t: x\n"
      "processor\t: 1\nflags\t\t: fpu\n";
  auto flags = cpu_flags_from_cpuinfo(cpuinfo);
  EXPECT_EQ(flags.count("avx2"), 1u);
  EXPECT_EQ(flags.count("avx512f"), 1u);
  EXPECT_EQ(flags.count("bugs"), 0u);
  EXPECT_TRUE(cpu_flags_from_cpuinfo("processor: 0\n").empty());
}

TEST(BlasKernel, BestTierFollowsTheStrongestFlagSet) {
  EXPECT_EQ(best_tier_for_flags({"avx512f", "avx512bw", "avx512dq", "avx512vl", "avx2", "fma"}), BlasTier::SkylakeX);
  // avx512f alone (Knights Landing) is not SkylakeX's instruction set.
  EXPECT_EQ(best_tier_for_flags({"avx512f", "avx2", "fma", "avx"}), BlasTier::Haswell);
  EXPECT_EQ(best_tier_for_flags({"avx2", "avx"}), BlasTier::SandyBridge);  // avx2 without fma
  EXPECT_EQ(best_tier_for_flags({"sse4_2", "pni"}), BlasTier::Nehalem);
  EXPECT_EQ(best_tier_for_flags({"pni"}), BlasTier::Prescott);
  EXPECT_EQ(best_tier_for_flags({}), BlasTier::Unknown);
  EXPECT_EQ(coretype_name(BlasTier::SkylakeX), "SkylakeX");
  EXPECT_EQ(coretype_name(BlasTier::Unknown), "");
}

TEST(BlasKernel, CorenamesMapToTiers) {
  EXPECT_EQ(tier_of_corename("Prescott"), BlasTier::Prescott);
  EXPECT_EQ(tier_of_corename("ZEN"), BlasTier::Haswell);
  EXPECT_EQ(tier_of_corename("skylakex"), BlasTier::SkylakeX);
  EXPECT_EQ(tier_of_corename("cooperlake"), BlasTier::SkylakeX);
  EXPECT_EQ(tier_of_corename("armv8"), BlasTier::Unknown);
}

TEST(BlasKernel, CandidateOnlyWhenOpenBlasChoseAWeakerKernelAndNothingOptsOut) {
  BlasAutoInputs in;
  in.corename = "Prescott";
  in.best_allowed = BlasTier::SkylakeX;
  EXPECT_EQ(blas_kernel_candidate(in).value_or(""), "SkylakeX");

  auto with = [&](auto change) {
    BlasAutoInputs copy = in;
    change(copy);
    return blas_kernel_candidate(copy);
  };
  EXPECT_FALSE(with([](auto& c) { c.env_coretype = "Haswell"; }));  // the environment's value is kept
  EXPECT_FALSE(with([](auto& c) { c.env_coretype = ""; }));         // even an empty one
  EXPECT_FALSE(with([](auto& c) { c.env_auto = "0"; }));
  EXPECT_FALSE(with([](auto& c) { c.env_auto = "OFF"; }));
  EXPECT_TRUE(with([](auto& c) { c.env_auto = "1"; }));
  EXPECT_FALSE(with([](auto& c) { c.opt_out_flag = true; }));
  EXPECT_FALSE(with([](auto& c) { c.corename = ""; }));  // not OpenBLAS, or no openblas_get_corename
  EXPECT_FALSE(with([](auto& c) { c.corename = "SkylakeX"; }));
  EXPECT_FALSE(with([](auto& c) { c.corename = "armv8"; }));  // a kernel this table does not rank
  EXPECT_FALSE(with([](auto& c) { c.best_allowed = BlasTier::Unknown; }));
  EXPECT_EQ(with([](auto& c) { c.corename = "Zen"; }).value_or(""), "SkylakeX");
  EXPECT_FALSE(with([](auto& c) {
    c.corename = "Zen";
    c.best_allowed = BlasTier::Haswell;
  }));
}

}  // namespace
}  // namespace sidr::util
