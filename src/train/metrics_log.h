// metrics.jsonl: one JSON object per line (train steps and evaluations), flushed after each record.
#pragma once
#include <cstdint>
#include <filesystem>
#include <fstream>

#include "util/json.h"

namespace sidr::train {

class MetricsLog {
 public:
  // enabled false: a no-op log (ranks other than 0). With keep_until_step >= 0 an existing file is kept up to the
  // records with "step" <= keep_until_step (a resumed run then writes what an uninterrupted run would have);
  // otherwise the file starts empty.
  MetricsLog(const std::filesystem::path& path, bool enabled, std::int64_t keep_until_step);
  void write(const Json& record);

 private:
  bool enabled_;
  std::ofstream out_;
};

}  // namespace sidr::train
