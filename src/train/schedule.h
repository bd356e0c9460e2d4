// Learning-rate schedules with the exact formulas of Hugging Face's get_*_schedule_with_warmup.
#pragma once
#include <cstdint>
#include <string>

namespace sidr::train {

enum class ScheduleKind { Linear, Cosine, Constant };
ScheduleKind parse_schedule_kind(const std::string& name);  // "linear" | "cosine" | "constant"; InputError otherwise
const char* schedule_kind_name(ScheduleKind kind);

struct Schedule {
  ScheduleKind kind = ScheduleKind::Linear;
  double peak_lr = 3e-4;
  std::int64_t warmup_steps = 20;
  std::int64_t total_steps = 1;

  // Learning rate of optimizer step `step` (0-based). As in HF, step 0 of a warmup runs at lr 0; linear decays to
  // 0 at total_steps; cosine is half a cosine wave from peak to 0; constant keeps the peak after warmup.
  double lr_at(std::int64_t step) const;
};

}  // namespace sidr::train
