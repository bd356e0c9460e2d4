#include "train/schedule.h"

#include <algorithm>
#include <cmath>

#include "util/error.h"

namespace sidr::train {

ScheduleKind parse_schedule_kind(const std::string& name) {
  if (name == "linear") return ScheduleKind::Linear;
  if (name == "cosine") return ScheduleKind::Cosine;
  if (name == "constant") return ScheduleKind::Constant;
  throw InputError("schedule '" + name + "': expected linear, cosine or constant");
}

const char* schedule_kind_name(ScheduleKind kind) {
  switch (kind) {
    case ScheduleKind::Linear: return "linear";
    case ScheduleKind::Cosine: return "cosine";
    case ScheduleKind::Constant: return "constant";
  }
  return "?";
}

double Schedule::lr_at(std::int64_t step) const {
  if (step < warmup_steps) return peak_lr * static_cast<double>(step) / static_cast<double>(std::max<std::int64_t>(1, warmup_steps));
  double decay_steps = static_cast<double>(std::max<std::int64_t>(1, total_steps - warmup_steps));
  double progress = static_cast<double>(step - warmup_steps) / decay_steps;
  switch (kind) {
    case ScheduleKind::Linear:
      return peak_lr * std::max(0.0, static_cast<double>(total_steps - step) / decay_steps);
    case ScheduleKind::Cosine:
      return peak_lr * std::max(0.0, 0.5 * (1.0 + std::cos(M_PI * progress)));
    case ScheduleKind::Constant:
      return peak_lr;
  }
  return peak_lr;
}

}  // namespace sidr::train
