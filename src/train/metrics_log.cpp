#include "train/metrics_log.h"

#include <sstream>
#include <string>

#include "util/error.h"
#include "util/file_io.h"

namespace sidr::train {

MetricsLog::MetricsLog(const std::filesystem::path& path, bool enabled, std::int64_t keep_until_step)
    : enabled_(enabled) {
  if (!enabled_) return;
  std::string kept;
  if (keep_until_step >= 0 && std::filesystem::exists(path)) {
    std::istringstream lines(read_file(path));
    std::string line;
    while (std::getline(lines, line)) {
      if (line.empty()) continue;
      Json record = Json::parse(line, nullptr, /*allow_exceptions=*/false);
      if (record.is_discarded()) break;  // a line cut by a kill: drop it and what follows
      if (record.value("step", std::int64_t{0}) <= keep_until_step) kept += line + "\n";
    }
  }
  write_file_atomic(path, kept);
  out_.open(path, std::ios::app);
  if (!out_) throw Error("cannot open " + path.string() + " for appending");
}

void MetricsLog::write(const Json& record) {
  if (!enabled_) return;
  out_ << record.dump() << '\n';
  out_.flush();
}

}  // namespace sidr::train
