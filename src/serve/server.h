// `sidreasoner serve`: the HTTP routes over the engine and the batcher (docs/serve.md lists them).
#pragma once
#include <string>

#include "serve/batcher.h"
#include "serve/engine.h"
#include "serve/request.h"

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
};

// Loads the model, serves until SIGTERM or SIGINT, then lets in-flight requests finish. Prints
// "listening on http://HOST:PORT" (one line, flushed) once it accepts connections.
void run_server(const ServeOptions& options);

}  // namespace sidr::serve
