#include "util/progress.h"

#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

namespace sidr {

Progress::Progress(std::string label, std::uint64_t total, std::string unit)
    : label_(std::move(label)),
      total_(total),
      unit_(std::move(unit)),
      tty_(::isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()),
      last_render_(start_) {}

Progress::~Progress() { finish(); }

double Progress::elapsed_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Progress::advance(std::uint64_t n) {
  done_ += n;
  auto now = std::chrono::steady_clock::now();
  // A terminal redraws 5 times a second; a log file gets a line every 30 s.
  double every = tty_ ? 0.2 : 30.0;
  if (std::chrono::duration<double>(now - last_render_).count() >= every) {
    last_render_ = now;
    render(false);
  }
}

static std::string format_duration(double seconds) {
  if (seconds < 0 || seconds > 1e7) return "?";
  long s = static_cast<long>(seconds + 0.5);
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60);
  return fmt::format("{:02}:{:02}", s / 60, s % 60);
}

void Progress::render(bool final_line) {
  double elapsed = elapsed_seconds();
  double rate = elapsed > 0 ? static_cast<double>(done_) / elapsed : 0.0;
  std::string line;
  if (total_ > 0) {
    double frac = static_cast<double>(done_) / static_cast<double>(total_);
    if (frac > 1) frac = 1;
    double eta = rate > 0 ? static_cast<double>(total_ - std::min(done_, total_)) / rate : -1;
    std::string bar;
    if (tty_) {
      int width = 24, filled = static_cast<int>(frac * width);
      bar = "[" + std::string(filled, '#') + std::string(width - filled, '.') + "] ";
    }
    line = fmt::format("{}: {}{:3.0f}% {}/{} {} [{}<{}, {:.1f} {}/s]", label_, bar, frac * 100, done_, total_,
                       unit_, format_duration(elapsed), format_duration(eta), rate, unit_);
  } else {
    line = fmt::format("{}: {} {} [{}, {:.1f} {}/s]", label_, done_, unit_, format_duration(elapsed), rate, unit_);
  }
  if (!postfix_.empty()) line += " " + postfix_;
  if (tty_) {
    std::fprintf(stderr, "\r\033[K%s%s", line.c_str(), final_line ? "\n" : "");
  } else {
    std::fprintf(stderr, "%s\n", line.c_str());
  }
  std::fflush(stderr);
}

void Progress::finish() {
  if (finished_) return;
  finished_ = true;
  render(true);
}

}  // namespace sidr
