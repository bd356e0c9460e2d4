// Dynamic batching: requests wait in one bounded queue; a single worker thread (the model's only user) takes
// the oldest request and, for recommendations, every other queued request of the same mode up to max_batch,
// waiting at most max_wait_ms after the oldest arrived for more to come; they run as one batched search.
// A full queue refuses (the server answers 503 with Retry-After). A request whose caller gave up (timeout)
// is skipped when the worker reaches it. stop() finishes everything queued, then joins.
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "serve/engine.h"
#include "serve/metrics.h"
#include "serve/request.h"

namespace sidr::serve {

struct BatcherOptions {
  std::size_t max_batch = 8;
  int max_wait_ms = 5;
  std::size_t max_queue = 64;
};

// A streaming chat's pieces, handed from the worker (push, then close once the job is answered) to the HTTP
// thread that writes them as server-sent events (wait). cancel() is the HTTP side saying its client left; the
// worker then stops generating at the next token.
class PieceChannel {
 public:
  enum class State { Open, Closed, TimedOut };
  void push(std::string piece);
  void close();
  // Waits until a piece is pending, the channel is closed, or the deadline passes; moves pending pieces to out.
  State wait(std::vector<std::string>& out, std::chrono::steady_clock::time_point deadline);
  void cancel() { cancelled_ = true; }
  bool cancelled() const { return cancelled_; }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::string> pending_;
  bool closed_ = false;
  std::atomic<bool> cancelled_{false};
};

struct Job {
  enum class Kind { Recommend, Chat };
  Kind kind = Kind::Recommend;
  RecommendRequest recommend;
  ChatRequest chat;
  std::shared_ptr<PieceChannel> stream;  // a streaming chat: pieces as they come (null otherwise)
  std::chrono::steady_clock::time_point arrived = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  std::atomic<bool> abandoned{false};  // the caller stopped waiting (timeout): skip it

  // Filled by the worker before done is set.
  Recommendation recommendation;
  ChatResult chat_result;
  std::size_t batch_size = 0;
  std::exception_ptr error;
  std::promise<void> done;
};

class Batcher {
 public:
  Batcher(Engine& engine, Metrics& metrics, const BatcherOptions& options);
  ~Batcher();
  // false: the queue is full or the batcher is stopping (the job was not queued).
  bool submit(const std::shared_ptr<Job>& job);
  std::size_t depth() const;
  void stop();  // finishes every queued job, then joins the worker

 private:
  void run();
  std::vector<std::shared_ptr<Job>> next_batch(std::unique_lock<std::mutex>& lock);
  void execute(const std::vector<std::shared_ptr<Job>>& batch);

  Engine& engine_;
  Metrics& metrics_;
  BatcherOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::shared_ptr<Job>> queue_;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace sidr::serve
