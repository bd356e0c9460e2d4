#include "eval/fusion_settings.h"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "decode/ensemble_step_model.h"
#include "util/error.h"

namespace sidr::eval {

void FusionSettings::validate(const std::function<std::string(const std::string& field)>& name) const {
  if (!(weight > 0 && weight < 1))
    throw InputError(fmt::format("{} must be between 0 and 1 (exclusive), got {}", name("weight"), weight));
  try {
    decode::parse_mixing(mix);
  } catch (const std::invalid_argument& e) {
    throw InputError(name("mix") + " " + e.what());
  }
  if (!(temperature > 0) || !std::isfinite(temperature))
    throw InputError(fmt::format("{} must be a positive number, got {}", name("temperature"), temperature));
}

}  // namespace sidr::eval
