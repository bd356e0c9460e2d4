#include "serve/metrics.h"

#include <fmt/format.h>

namespace sidr::serve {
namespace {

const std::vector<double> kLatencyBounds = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
const std::vector<double> kBatchBounds = {1, 2, 4, 8, 16, 32, 64, 128};

std::string label_prefix(const std::string& labels) { return labels.empty() ? "" : labels + ","; }

}  // namespace

void Histogram::observe(double value) {
  std::size_t i = 0;
  while (i < bounds_.size() && value > bounds_[i]) ++i;
  ++counts_[i];
  sum_ += value;
  ++count_;
}

std::string Histogram::render(const std::string& name, const std::string& labels) const {
  std::string out;
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < bounds_.size(); ++i) {
    cumulative += counts_[i];
    out += fmt::format("{}_bucket{{{}le=\"{}\"}} {}\n", name, label_prefix(labels), bounds_[i], cumulative);
  }
  out += fmt::format("{}_bucket{{{}le=\"+Inf\"}} {}\n", name, label_prefix(labels), count_);
  const std::string braces = labels.empty() ? "" : "{" + labels + "}";
  out += fmt::format("{}_sum{} {}\n{}_count{} {}\n", name, braces, sum_, name, braces, count_);
  return out;
}

Metrics::Metrics() = default;

void Metrics::request_done(const std::string& route, int status, double seconds) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++requests_[{route, status}];
  latency_.try_emplace(route, kLatencyBounds).first->second.observe(seconds);
}

void Metrics::batch_run(const std::string& kind, std::size_t size, double seconds) {
  std::lock_guard<std::mutex> lock(mutex_);
  batch_sizes_.try_emplace(kind, kBatchBounds).first->second.observe(static_cast<double>(size));
  batch_seconds_.try_emplace(kind, kLatencyBounds).first->second.observe(seconds);
}

void Metrics::set_queue_depth(std::size_t depth) {
  std::lock_guard<std::mutex> lock(mutex_);
  queue_depth_ = depth;
}

void Metrics::add_in_flight(int delta) {
  std::lock_guard<std::mutex> lock(mutex_);
  in_flight_ += delta;
}

std::string Metrics::render() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::string out;
  out += "# HELP sidr_requests_total HTTP requests answered, by route and status.\n";
  out += "# TYPE sidr_requests_total counter\n";
  for (const auto& [key, n] : requests_)
    out += fmt::format("sidr_requests_total{{route=\"{}\",status=\"{}\"}} {}\n", key.first, key.second, n);
  out += "# HELP sidr_errors_total HTTP requests answered with a 4xx or 5xx status, by route.\n";
  out += "# TYPE sidr_errors_total counter\n";
  std::map<std::string, std::uint64_t> errors;
  for (const auto& [key, n] : requests_) {
    errors[key.first] += 0;
    if (key.second >= 400) errors[key.first] += n;
  }
  for (const auto& [route, n] : errors) out += fmt::format("sidr_errors_total{{route=\"{}\"}} {}\n", route, n);
  out += "# HELP sidr_queue_depth Requests waiting for the model.\n# TYPE sidr_queue_depth gauge\n";
  out += fmt::format("sidr_queue_depth {}\n", queue_depth_);
  out += "# HELP sidr_in_flight Model requests accepted and not answered yet.\n# TYPE sidr_in_flight gauge\n";
  out += fmt::format("sidr_in_flight {}\n", in_flight_);
  out += "# HELP sidr_request_seconds Request latency, by route.\n# TYPE sidr_request_seconds histogram\n";
  for (const auto& [route, h] : latency_) out += h.render("sidr_request_seconds", fmt::format("route=\"{}\"", route));
  out += "# HELP sidr_batch_size Requests per model batch, by kind.\n# TYPE sidr_batch_size histogram\n";
  for (const auto& [kind, h] : batch_sizes_) out += h.render("sidr_batch_size", fmt::format("kind=\"{}\"", kind));
  out += "# HELP sidr_batch_seconds Model time per batch, by kind.\n# TYPE sidr_batch_seconds histogram\n";
  for (const auto& [kind, h] : batch_seconds_) out += h.render("sidr_batch_seconds", fmt::format("kind=\"{}\"", kind));
  return out;
}

}  // namespace sidr::serve
