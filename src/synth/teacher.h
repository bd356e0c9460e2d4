// The optional teacher: any OpenAI-compatible server (POST <url>/v1/chat/completions) writes the corpus texts
// with the paper's prompts (synth/teacher_prompts.h). Bounded concurrency (worker threads, one HTTP client
// each), connect/read timeouts, retries with exponential backoff on transport errors, HTTP 429/5xx and
// malformed replies, and an on-disk cache keyed by the request, so an interrupted run resumes without
// repeating calls. Every reply is validated by the caller (leak rules); a reply that fails validation is asked
// again, and after the last retry the caller's offline text is used, and counted.
#pragma once
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "util/json.h"

namespace sidr::synth {

struct TeacherOptions {
  std::string url;                // http[s]://host[:port][/prefix], e.g. http://127.0.0.1:8000; empty: no teacher
  std::string model = "gpt-4o";   // the "model" field of each request
  std::string api_key_env = "OPENAI_API_KEY";  // sent as "Authorization: Bearer ..." when the variable is set
  int concurrency = 4;            // requests in flight at most
  double timeout_s = 60;          // connect and read timeout of one request
  int retries = 3;                // further attempts after a failed or rejected reply
  double backoff_s = 1.0;         // wait before retry k: backoff_s * 2^(k-1)
  double temperature = 0.7;
  int max_tokens = 1024;
  std::filesystem::path cache;    // JSONL cache of accepted replies; empty: <out>/index/<Cat>.teacher_cache.jsonl

  void validate() const;  // InputError naming the option
};

struct TeacherStats {
  std::size_t requests = 0;     // texts asked for
  std::size_t cache_hits = 0;   // answered from the cache (no call)
  std::size_t calls = 0;        // HTTP attempts made
  std::size_t retries = 0;      // attempts after the first
  std::size_t transport_errors = 0;  // connection failures and timeouts
  std::size_t http_errors = 0;  // non-200 answers
  std::size_t malformed = 0;    // 200 answers without choices[0].message.content
  std::size_t rejected = 0;     // replies the validator refused (leaks)
  std::size_t accepted = 0;     // replies used
  std::size_t replaced = 0;     // texts that fell back to the offline generator
};

// A chat request: system and user prompt.
struct ChatRequest {
  std::string system;
  std::string user;
};

// Returns "" if a reply is acceptable, else why not (e.g. "names the target SID ...").
using ReplyValidator = std::function<std::string(const std::string& reply)>;

class TeacherClient {
 public:
  explicit TeacherClient(TeacherOptions options);  // loads the cache file if it exists
  ~TeacherClient();
  TeacherClient(const TeacherClient&) = delete;
  TeacherClient& operator=(const TeacherClient&) = delete;

  // The accepted reply (its leading <think> block cut), or nullopt after the last attempt failed or was
  // rejected. Thread-safe; each calling thread uses its own connection.
  std::optional<std::string> complete(const ChatRequest& request, const ReplyValidator& validate);

  TeacherStats stats() const;
  // The request body as sent (also the cache key's source).
  std::string request_body(const ChatRequest& request) const;

 private:
  struct Reply;
  Reply post(const std::string& body);
  void remember(const std::string& key, const std::string& reply);

  TeacherOptions options_;
  std::uint64_t id_ = 0;  // tells this client's thread-local connections from an earlier client's
  std::string host_;  // scheme://host:port as httplib takes it
  std::string path_;  // <url's path>/v1/chat/completions
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::string> cache_;
  std::ofstream cache_out_;
  TeacherStats stats_;
};

// Runs job(i) for i in [0, count) on `threads` worker threads; rethrows the first exception after all stop.
void parallel_for(std::size_t count, int threads, const std::function<void(std::size_t)>& job);

}  // namespace sidr::synth
