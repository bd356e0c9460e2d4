#include "synth/teacher.h"

#include <chrono>
#include <cstdlib>
#include <exception>
#include <thread>

#include <fmt/format.h>
#include <httplib.h>

#include "tasks/corpus.h"
#include "util/error.h"
#include "util/strings.h"

namespace sidr::synth {
namespace {

// A 128-bit key from two FNV-1a passes with different offsets: the cache needs no cryptographic hash, only
// keys that do not collide among a few hundred thousand requests.
std::string request_key(const std::string& body) {
  std::uint64_t a = 0xcbf29ce484222325ull, b = 0x84222325cbf29ce4ull;
  for (unsigned char c : body) {
    a = (a ^ c) * 0x100000001b3ull;
    b = (b ^ c) * 0x100000001b3ull;
    b ^= b >> 29;
  }
  return fmt::format("{:016x}{:016x}", a, b);
}

}  // namespace

struct TeacherClient::Reply {
  enum Kind { Ok, Transport, Http, Malformed } kind = Transport;
  bool retryable = true;
  std::string content;
  std::string detail;
};

void TeacherOptions::validate() const {
  if (!starts_with(url, "http://") && !starts_with(url, "https://"))
    throw InputError("--teacher-url: expected http[s]://host[:port][/path], got '" + url + "'");
  if (concurrency < 1 || concurrency > 256)
    throw InputError("--teacher-concurrency must be in 1..256, got " + std::to_string(concurrency));
  if (!(timeout_s > 0)) throw InputError("--teacher-timeout must be > 0 seconds");
  if (retries < 0 || retries > 20) throw InputError("--teacher-retries must be in 0..20, got " + std::to_string(retries));
  if (!(backoff_s >= 0)) throw InputError("--teacher-backoff must be >= 0 seconds");
  if (max_tokens < 1) throw InputError("--teacher-max-tokens must be >= 1");
  if (model.empty()) throw InputError("--teacher-model must not be empty");
}

TeacherClient::TeacherClient(TeacherOptions options) : options_(std::move(options)) {
  static std::atomic<std::uint64_t> instances{0};
  id_ = ++instances;
  options_.validate();
  // "http://host:port/prefix" -> host "http://host:port", path "/prefix/v1/chat/completions".
  const std::size_t slash = options_.url.find('/', options_.url.find("://") + 3);
  host_ = options_.url.substr(0, slash);
  std::string prefix = slash == std::string::npos ? "" : options_.url.substr(slash);
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  if (ends_with(prefix, "/v1")) prefix.resize(prefix.size() - 3);
  path_ = prefix + "/v1/chat/completions";
  if (std::filesystem::exists(options_.cache)) {
    std::ifstream in(options_.cache);
    std::string line;
    while (std::getline(in, line)) {
      try {  // an interrupted run may leave a torn last line: it is skipped
        const Json entry = Json::parse(line);
        cache_[entry.at("key").get<std::string>()] = entry.at("reply").get<std::string>();
      } catch (const std::exception&) {
      }
    }
  }
  if (!options_.cache.parent_path().empty()) std::filesystem::create_directories(options_.cache.parent_path());
  cache_out_.open(options_.cache, std::ios::app);
  if (!cache_out_) throw InputError("cannot open the teacher cache " + options_.cache.string() + " for appending");
}

TeacherClient::~TeacherClient() = default;

std::string TeacherClient::request_body(const ChatRequest& request) const {
  Json body = {{"model", options_.model},
               {"messages", Json::array({{{"role", "system"}, {"content", request.system}},
                                          {{"role", "user"}, {"content", request.user}}})},
               {"temperature", options_.temperature},
               {"max_tokens", options_.max_tokens}};
  return body.dump();
}

TeacherClient::Reply TeacherClient::post(const std::string& body) {
  // One client per thread: httplib's Client keeps one connection and is not meant to be shared.
  thread_local std::unique_ptr<httplib::Client> client;
  thread_local std::uint64_t client_owner = 0;
  if (!client || client_owner != id_) {
    client = std::make_unique<httplib::Client>(host_);
    client_owner = id_;
    const auto seconds = static_cast<time_t>(options_.timeout_s);
    const auto micros = static_cast<time_t>((options_.timeout_s - static_cast<double>(seconds)) * 1e6);
    client->set_connection_timeout(seconds, micros);
    client->set_read_timeout(seconds, micros);
    client->set_write_timeout(seconds, micros);
    client->set_keep_alive(true);
  }
  httplib::Headers headers;
  if (const char* key = std::getenv(options_.api_key_env.c_str()); key && *key)
    headers.emplace("Authorization", std::string("Bearer ") + key);
  Reply reply;
  auto res = client->Post(path_.c_str(), headers, body, "application/json");
  if (!res) {
    reply.kind = Reply::Transport;
    reply.detail = httplib::to_string(res.error());
    client.reset();  // a timed-out connection is not reused
    return reply;
  }
  if (res->status != 200) {
    reply.kind = Reply::Http;
    reply.retryable = res->status == 429 || res->status >= 500;
    reply.detail = "HTTP " + std::to_string(res->status);
    return reply;
  }
  try {
    const Json doc = Json::parse(res->body);
    const Json& content = doc.at("choices").at(0).at("message").at("content");
    reply.content = tasks::cut_after_think(content.get<std::string>());
    reply.kind = Reply::Ok;
  } catch (const std::exception& e) {
    reply.kind = Reply::Malformed;
    reply.detail = e.what();
  }
  return reply;
}

void TeacherClient::remember(const std::string& key, const std::string& reply) {
  std::lock_guard<std::mutex> lock(mutex_);
  cache_[key] = reply;
  cache_out_ << Json{{"key", key}, {"reply", reply}}.dump() << '\n';
  cache_out_.flush();  // each accepted reply is on disk before the next one is asked for
}

std::optional<std::string> TeacherClient::complete(const ChatRequest& request, const ReplyValidator& validate) {
  const std::string body = request_body(request);
  const std::string key = request_key(body);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++stats_.requests;
    auto it = cache_.find(key);
    if (it != cache_.end() && validate(it->second).empty()) {
      ++stats_.cache_hits;
      ++stats_.accepted;
      return it->second;
    }
  }
  for (int attempt = 0; attempt <= options_.retries; ++attempt) {
    if (attempt > 0) {
      std::this_thread::sleep_for(std::chrono::duration<double>(options_.backoff_s * double(1 << (attempt - 1))));
    }
    const Reply reply = post(body);
    bool retry = true;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ++stats_.calls;
      if (attempt > 0) ++stats_.retries;
      switch (reply.kind) {
        case Reply::Transport: ++stats_.transport_errors; break;
        case Reply::Http: ++stats_.http_errors; retry = reply.retryable; break;
        case Reply::Malformed: ++stats_.malformed; break;
        case Reply::Ok: break;
      }
    }
    if (reply.kind == Reply::Ok) {
      if (validate(reply.content).empty()) {
        remember(key, reply.content);
        std::lock_guard<std::mutex> lock(mutex_);
        ++stats_.accepted;
        return reply.content;
      }
      std::lock_guard<std::mutex> lock(mutex_);
      ++stats_.rejected;
    }
    if (!retry) break;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  ++stats_.replaced;
  return std::nullopt;
}

TeacherStats TeacherClient::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

void parallel_for(std::size_t count, int threads, const std::function<void(std::size_t)>& job) {
  std::atomic<std::size_t> next{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto worker = [&] {
    for (std::size_t i = next++; i < count; i = next++) {
      try {
        job(i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!error) error = std::current_exception();
        next = count;  // the others stop after their current job
      }
    }
  };
  std::vector<std::thread> pool;
  const int n = std::max(1, std::min<int>(threads, static_cast<int>(std::max<std::size_t>(count, 1))));
  for (int t = 1; t < n; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace sidr::synth
