#include "serve/server.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <thread>

#include <fmt/format.h>
#include <httplib.h>

#include "serve/web_page.h"
#include "util/json.h"

namespace sidr::serve {
namespace {

using Clock = std::chrono::steady_clock;

std::string dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n"; }

void send_json(httplib::Response& res, int status, const Json& body) {
  res.status = status;
  res.set_content(dump(body), "application/json");
}

void send_error(httplib::Response& res, int status, const std::string& message) {
  res.status = status;
  if (status == 503) res.set_header("Retry-After", "1");
  res.set_content(error_body(message, status), "application/json");
}

// Runs a route: RequestError -> its status, InputError -> 400, anything else -> 500; every answer is counted.
template <typename Body>
void route(Metrics& metrics, const std::string& name, httplib::Response& res, Body body) {
  const auto start = Clock::now();
  try {
    body();
  } catch (const RequestError& e) {
    send_error(res, e.status(), e.what());
  } catch (const InputError& e) {
    send_error(res, 400, e.what());
  } catch (const std::exception& e) {
    send_error(res, 500, std::string("internal error: ") + e.what());
  }
  metrics.request_done(name, res.status, std::chrono::duration<double>(Clock::now() - start).count());
}

// Counts a job in sidr_in_flight from its queueing until the last reference to the guard goes (the answer,
// or the end of its stream).
struct InFlight {
  explicit InFlight(Metrics& m) : metrics(m) { metrics.add_in_flight(1); }
  ~InFlight() { metrics.add_in_flight(-1); }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;
  Metrics& metrics;
};

// Queues a job with its deadline. RequestError(503) when the queue is full.
std::shared_ptr<InFlight> submit_job(Batcher& batcher, Metrics& metrics, const std::shared_ptr<Job>& job,
                                     int timeout_ms) {
  job->deadline = job->arrived + std::chrono::milliseconds(timeout_ms);
  if (!batcher.submit(job)) throw RequestError(503, "the server is busy (request queue full); retry later");
  return std::make_shared<InFlight>(metrics);
}

RequestError timeout_error(int timeout_ms) {
  return RequestError(504, fmt::format("no answer within the request timeout ({} ms)", timeout_ms));
}

// Queues a job and waits for it until its deadline: 503 when the queue is full, 504 on timeout.
void run_job(Batcher& batcher, Metrics& metrics, const std::shared_ptr<Job>& job, int timeout_ms) {
  auto done = job->done.get_future();
  auto in_flight = submit_job(batcher, metrics, job, timeout_ms);
  if (done.wait_until(job->deadline) == std::future_status::timeout) {
    job->abandoned = true;
    throw timeout_error(timeout_ms);
  }
  if (job->error) std::rethrow_exception(job->error);
}

Json item_json(const data::Item& item) { return {{"item_id", item.id}, {"title", item.title}, {"sid", item.sid}}; }

std::size_t size_param(const httplib::Request& req, const char* key, std::size_t fallback, std::size_t max) {
  if (!req.has_param(key)) return fallback;
  const std::string text = req.get_param_value(key);
  if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string::npos)
    throw RequestError(400, fmt::format("parameter '{}': expected a non-negative integer", key));
  return std::min<std::size_t>(std::stoul(text), max);
}

std::string chat_id() {
  static std::atomic<std::uint64_t> next{0};
  return fmt::format("chatcmpl-{}-{}", std::time(nullptr), next++);
}

// One server-sent event of OpenAI's chat.completion.chunk stream.
struct ChunkWriter {
  std::string id, model;
  std::time_t created;
  std::string event(const Json& delta, const Json& finish) const {
    Json c = {{"id", id}, {"object", "chat.completion.chunk"}, {"created", created}, {"model", model}};
    c["choices"] = Json::array({{{"index", 0}, {"delta", delta}, {"finish_reason", finish}}});
    return "data: " + c.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n\n";
  }
};

// A streaming chat completion: the role chunk, one chunk per piece as the worker generates it, a finishing
// chunk and "data: [DONE]". The handler waits for the first piece (or the end) before it answers, so errors
// raised before generation (501, 413, 504 in the queue) still get their status; after that the status is 200
// and a failure is an `error` event. A client that leaves cancels the generation at its next token.
void stream_chat(httplib::Response& res, Batcher& batcher, Metrics& metrics, const std::shared_ptr<Job>& job,
                 const std::string& model, int timeout_ms) {
  job->stream = std::make_shared<PieceChannel>();
  auto in_flight = submit_job(batcher, metrics, job, timeout_ms);
  std::vector<std::string> first;
  const auto state = job->stream->wait(first, job->deadline);
  if (state == PieceChannel::State::TimedOut) {
    job->abandoned = true;
    job->stream->cancel();
    throw timeout_error(timeout_ms);
  }
  if (state == PieceChannel::State::Closed && job->error) std::rethrow_exception(job->error);
  ChunkWriter writer{chat_id(), model, std::time(nullptr)};
  res.status = 200;
  res.set_header("Cache-Control", "no-cache");
  // One call writes the whole stream: httplib checks for shutdown between calls, and a graceful stop must not
  // cut a stream in the middle.
  res.set_chunked_content_provider(
      "text/event-stream",
      [job, in_flight, writer, first = std::move(first), timeout_ms](std::size_t, httplib::DataSink& sink) mutable {
        auto send = [&](const std::string& text) { return sink.write(text.data(), text.size()); };
        bool ok = send(writer.event({{"role", "assistant"}, {"content", ""}}, nullptr));
        for (const auto& piece : first) ok = ok && send(writer.event({{"content", piece}}, nullptr));
        auto state = PieceChannel::State::Open;
        while (ok && state == PieceChannel::State::Open) {
          std::vector<std::string> pieces;
          state = job->stream->wait(pieces, job->deadline);
          for (const auto& piece : pieces) ok = ok && send(writer.event({{"content", piece}}, nullptr));
        }
        if (!ok) {  // the client left
          job->stream->cancel();
          return false;
        }
        std::string error;
        if (state == PieceChannel::State::TimedOut) {
          job->abandoned = true;
          job->stream->cancel();
          error = fmt::format("no answer within the request timeout ({} ms)", timeout_ms);
        } else if (job->error) {
          try {
            std::rethrow_exception(job->error);
          } catch (const std::exception& e) {
            error = e.what();
          }
        }
        if (!error.empty()) {
          ok = send("data: " + Json({{"error", {{"message", error}, {"type", "server_error"}}}}).dump(-1, ' ', false, Json::error_handler_t::replace) + "\n\n");
        } else {
          ok = send(writer.event(Json::object(), job->chat_result.finish_reason));
        }
        ok = ok && send("data: [DONE]\n\n");
        if (ok) sink.done();
        return ok;
      });
}

void add_routes(httplib::Server& svr, Engine& engine, Batcher& batcher, Metrics& metrics, const ServeOptions& o) {
  const std::string model_name = std::filesystem::path(o.engine.stack.model_dir).lexically_normal().string();

  svr.Get("/", [&](const httplib::Request&, httplib::Response& res) {
    route(metrics, "/", res, [&] { res.set_content(web_page_html(), "text/html; charset=utf-8"); });
  });
  svr.Get("/healthz", [&](const httplib::Request&, httplib::Response& res) {
    route(metrics, "/healthz", res, [&] { send_json(res, 200, {{"status", "ok"}, {"queue_depth", batcher.depth()}}); });
  });
  svr.Get("/v1/config", [&, model_name](const httplib::Request&, httplib::Response& res) {
    route(metrics, "/v1/config", res, [&] { send_json(res, 200, {{"model", model_name}, {"options", o.to_json()}}); });
  });
  svr.Get("/metrics", [&](const httplib::Request&, httplib::Response& res) {
    route(metrics, "/metrics", res, [&] { res.set_content(metrics.render(), "text/plain; version=0.0.4"); });
  });
  svr.Get("/v1/items", [&](const httplib::Request& req, httplib::Response& res) {
    route(metrics, "/v1/items", res, [&] {
      const std::string q = req.has_param("q") ? req.get_param_value("q") : "";
      if (q.size() > 200) throw RequestError(400, "parameter 'q': longer than 200 bytes");
      Json items = Json::array();
      for (const auto* item : engine.search_items(q, size_param(req, "limit", 20, 100))) items.push_back(item_json(*item));
      send_json(res, 200, {{"items", items}});
    });
  });
  svr.Get("/v1/users", [&](const httplib::Request& req, httplib::Response& res) {
    route(metrics, "/v1/users", res, [&] {
      const auto& rows = engine.users().rows;
      const std::size_t offset = size_param(req, "offset", 0, rows.size());
      const std::size_t limit = size_param(req, "limit", 20, 100);
      Json users = Json::array();
      for (std::size_t i = offset; i < rows.size() && i < offset + limit; ++i) {
        Json history = Json::array();
        for (auto id : rows[i].history_ids)
          if (const auto* item = engine.catalog().find(id)) history.push_back(item_json(*item));
        Json u = {{"row", i}, {"user_id", rows[i].user_id}, {"history", history}};
        if (const auto* target = engine.catalog().find(rows[i].item_id)) u["target"] = item_json(*target);
        users.push_back(std::move(u));
      }
      send_json(res, 200, {{"users", users}, {"total", rows.size()}, {"split", o.engine.users_split}});
    });
  });
  svr.Post("/v1/recommend", [&, model_name](const httplib::Request& req, httplib::Response& res) {
    route(metrics, "/v1/recommend", res, [&] {
      auto job = std::make_shared<Job>();
      job->recommend = parse_recommend_request(req.body, engine.catalog(), o.limits);
      if (job->recommend.mode == Mode::Think && !engine.think_available())
        throw RequestError(400, "mode 'think' is off: --sasrec with --style sequence has no think-mode search marker");
      run_job(batcher, metrics, job, o.timeout_ms);
      const auto& r = job->recommendation;
      Json items = Json::array();
      for (const auto& item : r.items)
        items.push_back({{"sid", item.sid}, {"item_ids", item.item_ids}, {"titles", item.titles}, {"score", item.score}});
      Json body = {{"items", items},
                   {"reasoning", job->recommend.mode == Mode::Think ? Json(r.reasoning) : Json(nullptr)},
                   {"model", model_name},
                   {"mode", job->recommend.mode == Mode::Think ? "think" : "plain"},
                   {"batch_size", job->batch_size},
                   {"elapsed_ms", std::chrono::duration<double, std::milli>(Clock::now() - job->arrived).count()}};
      if (job->recommend.mode == Mode::Think) body["thought_closed"] = r.thought_closed;
      send_json(res, 200, body);
    });
  });
  svr.Post("/v1/chat/completions", [&, model_name](const httplib::Request& req, httplib::Response& res) {
    route(metrics, "/v1/chat/completions", res, [&] {
      auto job = std::make_shared<Job>();
      job->kind = Job::Kind::Chat;
      job->chat = parse_chat_request(req.body, engine.tokenizer(), o.limits);
      const std::string model = job->chat.model.empty() ? model_name : job->chat.model;
      if (job->chat.stream) return stream_chat(res, batcher, metrics, job, model, o.timeout_ms);
      run_job(batcher, metrics, job, o.timeout_ms);
      const auto& r = job->chat_result;
      const std::string id = chat_id();
      const std::time_t created = std::time(nullptr);
      Json body = {{"id", id}, {"object", "chat.completion"}, {"created", created}, {"model", model}};
      body["choices"] = Json::array(
          {{{"index", 0}, {"message", {{"role", "assistant"}, {"content", r.text}}}, {"finish_reason", r.finish_reason}}});
      body["usage"] = {{"prompt_tokens", r.prompt_tokens},
                       {"completion_tokens", r.completion_tokens},
                       {"total_tokens", r.prompt_tokens + r.completion_tokens}};
      send_json(res, 200, body);
    });
  });
  // httplib's own refusals (404, 413 over the body limit, 400 on a malformed request line) get a JSON reason too.
  svr.set_error_handler([&](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    const std::string reason = res.status == 404   ? "no such route: " + req.method + " " + req.path
                               : res.status == 413 ? fmt::format("the body is over the {} byte limit", o.max_body_bytes)
                                                   : fmt::format("HTTP status {}", res.status);
    res.set_content(error_body(reason, res.status), "application/json");
    metrics.request_done("other", res.status, 0);
  });
}

// SIGTERM/SIGINT: the handler (on whichever thread the kernel picks) only writes a byte to a pipe; the stopper
// thread reads it and stops the server. Threads that existed before serve started (libtorch's) need not block
// the signals for this to work.
int g_stop_pipe[2] = {-1, -1};

extern "C" void on_stop_signal(int) {
  const char byte = 1;
  [[maybe_unused]] auto n = write(g_stop_pipe[1], &byte, 1);
}

}  // namespace

void run_server(const ServeOptions& options) {
  signal(SIGPIPE, SIG_IGN);  // a client that hangs up must not kill the server
  if (options.timeout_ms < 1) throw InputError("--timeout-ms must be at least 1");
  if (options.max_body_bytes < 16) throw InputError("--max-body-bytes must be at least 16");
  if (options.limits.max_history < 1) throw InputError("--max-history must be at least 1");
  if (options.http_threads < 1) throw InputError("--http-threads must be at least 1");
  Engine engine(options.engine);
  Metrics metrics;
  Batcher batcher(engine, metrics, options.batcher);

  httplib::Server svr;
  const int threads = options.http_threads;
  svr.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<std::size_t>(threads)); };
  svr.set_payload_max_length(options.max_body_bytes);
  svr.set_read_timeout(10);
  svr.set_write_timeout(10);
  svr.set_keep_alive_timeout(2);
  svr.set_keep_alive_max_count(1000);
  add_routes(svr, engine, batcher, metrics, options);

  int port = options.port;
  if (port == 0) {
    port = svr.bind_to_any_port(options.host);
    if (port < 0) throw Error("cannot bind " + options.host + " to a free port");
  } else if (!svr.bind_to_port(options.host, port)) {
    throw Error(fmt::format("cannot bind {}:{} (in use, or not an address of this machine)", options.host, port));
  }

  if (pipe(g_stop_pipe) != 0) throw Error("serve: cannot create the signal pipe");
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
  std::atomic<bool> listening_done{false};
  std::thread stopper([&] {
    char byte = 0;
    while (read(g_stop_pipe[0], &byte, 1) < 0 && errno == EINTR) {
    }
    if (byte == 1) fmt::print(stderr, "serve: stop signal, finishing in-flight requests\n");
    // stop() does nothing before listen has started: a signal that early is repeated until it takes.
    while (!listening_done) {
      svr.stop();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  fmt::print("listening on http://{}:{}\n", options.host, port);
  std::fflush(stdout);
  const bool ok = svr.listen_after_bind();  // returns after stop(), once every handler has finished
  listening_done = true;
  const char wake = 0;  // wakes the stopper when listen ended on its own
  [[maybe_unused]] auto n = write(g_stop_pipe[1], &wake, 1);
  stopper.join();
  signal(SIGTERM, SIG_DFL);
  signal(SIGINT, SIG_DFL);
  batcher.stop();
  if (!ok) throw Error("the HTTP server stopped with an error");
  fmt::print(stderr, "serve: stopped\n");
}

}  // namespace sidr::serve
