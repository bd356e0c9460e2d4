#include "serve/batcher.h"

#include <fmt/format.h>

namespace sidr::serve {
namespace {

bool same_batch(const Job& a, const Job& b) {
  return a.kind == Job::Kind::Recommend && b.kind == Job::Kind::Recommend && a.recommend.mode == b.recommend.mode;
}

}  // namespace

void PieceChannel::push(std::string piece) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    pending_.push_back(std::move(piece));
  }
  changed_.notify_all();
}

void PieceChannel::close() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    closed_ = true;
  }
  changed_.notify_all();
}

PieceChannel::State PieceChannel::wait(std::vector<std::string>& out, std::chrono::steady_clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(mutex_);
  const bool woke = changed_.wait_until(lock, deadline, [&] { return closed_ || !pending_.empty(); });
  for (auto& piece : pending_) out.push_back(std::move(piece));
  pending_.clear();
  return closed_ ? State::Closed : woke ? State::Open : State::TimedOut;
}

Batcher::Batcher(Engine& engine, Metrics& metrics, const BatcherOptions& options)
    : engine_(engine), metrics_(metrics), options_(options) {
  if (options_.max_batch < 1) throw InputError("--max-batch must be at least 1");
  if (options_.max_queue < 1) throw InputError("--max-queue must be at least 1");
  if (options_.max_wait_ms < 0) throw InputError("--max-wait-ms must be at least 0");
  worker_ = std::thread([this] { run(); });
}

Batcher::~Batcher() { stop(); }

bool Batcher::submit(const std::shared_ptr<Job>& job) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_ || queue_.size() >= options_.max_queue) return false;
    queue_.push_back(job);
    metrics_.set_queue_depth(queue_.size());
  }
  changed_.notify_all();
  return true;
}

std::size_t Batcher::depth() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return queue_.size();
}

void Batcher::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (worker_.joinable()) worker_.join();
}

std::vector<std::shared_ptr<Job>> Batcher::next_batch(std::unique_lock<std::mutex>& lock) {
  changed_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
  if (queue_.empty()) return {};
  std::shared_ptr<Job> first = queue_.front();
  // Recommendations wait (up to max_wait_ms after the oldest arrived) for enough of the same mode to fill a batch.
  auto count_same = [&] {
    std::size_t n = 0;
    for (const auto& j : queue_) n += same_batch(*first, *j) ? 1 : 0;
    return n;
  };
  if (first->kind == Job::Kind::Recommend && !stopping_) {
    const auto until = first->arrived + std::chrono::milliseconds(options_.max_wait_ms);
    changed_.wait_until(lock, until, [&] { return stopping_ || count_same() >= options_.max_batch; });
  }
  std::vector<std::shared_ptr<Job>> batch;
  for (auto it = queue_.begin(); it != queue_.end() && batch.size() < options_.max_batch;) {
    if (*it == first || same_batch(*first, **it)) {
      batch.push_back(*it);
      it = queue_.erase(it);
      if (first->kind == Job::Kind::Chat) break;  // chat completions run one at a time
    } else {
      ++it;
    }
  }
  metrics_.set_queue_depth(queue_.size());
  return batch;
}

void Batcher::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    auto batch = next_batch(lock);
    if (batch.empty()) {
      if (stopping_) return;
      continue;
    }
    lock.unlock();
    execute(batch);
    lock.lock();
  }
}

void Batcher::execute(const std::vector<std::shared_ptr<Job>>& all) {
  // Jobs whose caller gave up are answered (nobody reads it) without running the model.
  const auto now = std::chrono::steady_clock::now();
  std::vector<std::shared_ptr<Job>> batch;
  for (const auto& job : all) {
    if (job->abandoned || now >= job->deadline) {
      job->error = std::make_exception_ptr(RequestError(504, "the request timeout passed while it was queued"));
      job->done.set_value();
      if (job->stream) job->stream->close();
    } else {
      batch.push_back(job);
    }
  }
  if (batch.empty()) return;
  const auto start = std::chrono::steady_clock::now();
  const bool chat = batch.front()->kind == Job::Kind::Chat;
  const std::string kind = chat ? "chat" : batch.front()->recommend.mode == Mode::Think ? "think" : "plain";
  try {
    if (chat) {
      Job& job = *batch.front();
      Engine::PieceSink sink;
      if (job.stream)
        sink = [&job](const std::string& piece) {
          if (job.stream->cancelled() || job.abandoned) return false;
          job.stream->push(piece);
          return true;
        };
      job.chat_result = engine_.chat(job.chat, sink);
      metrics_.chat_done(job.chat_result.completion_tokens, job.chat_result.finish_reason == "cancelled");
    } else {
      std::vector<const RecommendRequest*> requests;
      for (const auto& job : batch) requests.push_back(&job->recommend);
      auto results = engine_.recommend(requests, batch.front()->recommend.mode);
      for (std::size_t i = 0; i < batch.size(); ++i) batch[i]->recommendation = std::move(results[i]);
    }
  } catch (...) {
    for (const auto& job : batch) job->error = std::current_exception();
  }
  metrics_.batch_run(kind, batch.size(),
                     std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  for (const auto& job : batch) {
    job->batch_size = batch.size();
    job->done.set_value();
    if (job->stream) job->stream->close();
  }
}

}  // namespace sidr::serve
