// The server's counters in Prometheus text format (GET /metrics): requests and errors by route and status,
// queue depth, batch sizes and request latency as histograms, chat tokens generated. Thread-safe.
#pragma once
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace sidr::serve {

class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds) : bounds_(std::move(bounds)), counts_(bounds_.size() + 1, 0) {}
  void observe(double value);
  // "<name>_bucket{<labels>le="..."} n" lines (cumulative), then _sum and _count.
  std::string render(const std::string& name, const std::string& labels) const;

 private:
  std::vector<double> bounds_;
  std::vector<std::uint64_t> counts_;  // per bucket, not cumulative; the last is +Inf
  double sum_ = 0;
  std::uint64_t count_ = 0;
};

class Metrics {
 public:
  Metrics();
  void request_done(const std::string& route, int status, double seconds);
  void batch_run(const std::string& kind, std::size_t size, double seconds);
  void set_queue_depth(std::size_t depth);
  void add_in_flight(int delta);  // requests queued or running on the model
  // A chat completion that ran: its generated tokens, and whether its stream's client left before the end.
  void chat_done(std::size_t completion_tokens, bool cancelled);
  std::string render() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, int>, std::uint64_t> requests_;  // (route, status) -> count
  std::map<std::string, Histogram> latency_;                        // route -> seconds
  std::map<std::string, Histogram> batch_sizes_;                    // kind -> requests per batch
  std::map<std::string, Histogram> batch_seconds_;                  // kind -> seconds per batch
  std::size_t queue_depth_ = 0;
  long in_flight_ = 0;
  std::uint64_t chat_tokens_ = 0, chat_cancelled_ = 0;
};

}  // namespace sidr::serve
