#include "train/schedule.h"

#include <gtest/gtest.h>

#include "util/error.h"

namespace sidr::train {
namespace {

// Expected values from HF's lr_lambda formulas, worked by hand for warmup 2, total 10, peak 1.
TEST(Schedule, LinearWarmupThenLinearDecayToZero) {
  Schedule schedule{ScheduleKind::Linear, 1.0, 2, 10};
  const double expected[] = {0.0, 0.5, 1.0, 0.875, 0.75, 0.625, 0.5, 0.375, 0.25, 0.125, 0.0, 0.0};
  for (int step = 0; step < 12; ++step) EXPECT_DOUBLE_EQ(schedule.lr_at(step), expected[step]) << step;
}

TEST(Schedule, CosineFromPeakToZero) {
  Schedule schedule{ScheduleKind::Cosine, 2.0, 2, 10};
  EXPECT_DOUBLE_EQ(schedule.lr_at(1), 1.0);
  EXPECT_DOUBLE_EQ(schedule.lr_at(2), 2.0);
  EXPECT_NEAR(schedule.lr_at(4), 2.0 * 0.5 * (1 + std::cos(M_PI * 0.25)), 1e-12);
  EXPECT_NEAR(schedule.lr_at(6), 1.0, 1e-12);
  EXPECT_NEAR(schedule.lr_at(10), 0.0, 1e-12);
}

TEST(Schedule, ConstantAndNoWarmup) {
  Schedule constant{ScheduleKind::Constant, 0.1, 3, 10};
  EXPECT_DOUBLE_EQ(constant.lr_at(0), 0.0);
  EXPECT_DOUBLE_EQ(constant.lr_at(9), 0.1);
  Schedule linear{ScheduleKind::Linear, 1.0, 0, 4};
  EXPECT_DOUBLE_EQ(linear.lr_at(0), 1.0);  // HF: no warmup, the first step runs at the peak
  EXPECT_DOUBLE_EQ(linear.lr_at(3), 0.25);
}

TEST(Schedule, ParsesNames) {
  EXPECT_EQ(parse_schedule_kind("cosine"), ScheduleKind::Cosine);
  EXPECT_STREQ(schedule_kind_name(parse_schedule_kind("linear")), "linear");
  EXPECT_THROW(parse_schedule_kind("step"), InputError);
}

}  // namespace
}  // namespace sidr::train
