// `sidreasoner serve`: the HTTP routes over the engine and the batcher (docs/serve.md lists them).
#pragma once
#include <string>

#include "serve/batcher.h"
#include "serve/engine.h"
#include "serve/request.h"
#include "util/common_option_fields.h"
#include "util/json.h"
#include "util/option_fields.h"

namespace sidr::serve {

struct ServeOptions {
  EngineOptions engine;
  BatcherOptions batcher;
  RequestLimits limits;
  std::string host = "127.0.0.1";
  int port = 8080;                    // 0: any free port (printed on stdout)
  int timeout_ms = 60000;             // per request: queue wait plus model time
  std::size_t max_body_bytes = 65536;
  int http_threads = 192;             // connections served at once (above the queue bound, so 503s can happen)

  // The one list of `serve`'s options: its flags and GET /v1/config (util/option_fields.h). Recorded are the
  // options that change an answer; where and how fast the server answers (address, batching, queue, timeouts,
  // limits) are not.
  template <class Self, class Visit>
  static void fields(Self& o, Visit&& visit) {
    using opts::Field;
    using opts::kNotRecorded;
    using opts::kRequired;
    auto& e = o.engine;
    visit(Field{"model", "checkpoint directory with tokenizer.json", kRequired}, e.stack.model_dir);
    visit(Field{"ensemble", "another checkpoint decoded together with --model (repeatable)"}, e.stack.ensemble);
    visit(Field{"ensemble_mix", "mean or product"}, e.stack.ensemble_mix);
    visit(Field{"sasrec", "a `baseline sasrec` run mixed into the SID search"}, e.stack.sasrec_dir);
    visit(Field{"sasrec_ensemble", "another SASRec run averaged with --sasrec's"}, e.stack.sasrec_ensemble);
    visit(Field{"sasrec_weight", "SASRec's weight in (0, 1)"}, e.sasrec_weight);
    visit(Field{"sasrec_mix", "mean or product"}, e.sasrec_mix);
    visit(Field{"sasrec_temperature", "divides SASRec's item log-probabilities"}, e.sasrec_temperature);
    opts::data_fields(e.data_root, e.dataset, visit);
    visit(Field{"users_split", "the split whose users the web page offers"}, e.users_split);
    visit(Field{"style", "prompt style the model was trained with: reference, compact or sequence"}, e.style);
    visit(Field{"prompt_style", "plain mode: reference or training (as evaluate)"}, e.prompt_style);
    visit(Field{"beams", "beam width (the largest k a request may ask)"}, e.beams);
    visit(Field{"think_tokens", "think mode: greedy thought budget"}, e.think_tokens);
    visit(Field{"host", "address to listen on", kNotRecorded}, o.host);
    visit(Field{"port", "port (0 = any free port, printed)", kNotRecorded}, o.port);
    visit(Field{"max_batch", "requests per batched search", kNotRecorded}, o.batcher.max_batch);
    visit(Field{"max_wait_ms", "how long the oldest request waits for a batch to fill", kNotRecorded},
          o.batcher.max_wait_ms);
    visit(Field{"max_queue", "queued requests; above it the server answers 503", kNotRecorded}, o.batcher.max_queue);
    visit(Field{"timeout_ms", "per-request timeout (queue wait plus model time): 504", kNotRecorded}, o.timeout_ms);
    visit(Field{"max_body_bytes", "request body limit: 413", kNotRecorded}, o.max_body_bytes);
    visit(Field{"max_history", "history items per request: 413", kNotRecorded}, o.limits.max_history);
    visit(Field{"max_tokens", "chat completions: the largest max_tokens", kNotRecorded}, o.limits.max_tokens);
    visit(Field{"http_threads", "connections served at once", kNotRecorded}, o.http_threads);
    model::RuntimeOptions::fields(e.stack.runtime, visit);
  }
  Json to_json() const { return opts::fields_to_json(*this); }
};

// Loads the model, serves until SIGTERM or SIGINT, then lets in-flight requests finish. Prints
// "listening on http://HOST:PORT" (one line, flushed) once it accepts connections.
void run_server(const ServeOptions& options);

}  // namespace sidr::serve
