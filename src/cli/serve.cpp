// `sidreasoner serve`: recommendations (plain or with their reasoning) and chat completions over HTTP, with
// dynamic batching, from the same model options as `evaluate` (docs/serve.md).
#include "cli/command.h"
#include "cli/option_fields.h"
#include "cli/model_options.h"
#include "serve/server.h"

namespace sidr::cli {
namespace {

void setup(CLI::App& root) {
  auto o = std::make_shared<serve::ServeOptions>();
  auto* cmd = root.add_subcommand("serve", "Serve recommendations and chat completions over HTTP (JSON API, web page)");
  auto& e = o->engine;
  cmd->add_option("--model", e.stack.model_dir, "checkpoint directory with tokenizer.json")->required();
  cmd->add_option("--ensemble", e.stack.ensemble, "another checkpoint decoded together with --model (repeatable)");
  cmd->add_option("--ensemble-mix", e.stack.ensemble_mix, "mean or product")->capture_default_str();
  cmd->add_option("--sasrec", e.stack.sasrec_dir, "a `baseline sasrec` run mixed into the SID search");
  cmd->add_option("--sasrec-ensemble", e.stack.sasrec_ensemble, "another SASRec run averaged with --sasrec's");
  cmd->add_option("--sasrec-weight", e.sasrec_weight, "SASRec's weight in (0, 1)")->capture_default_str();
  cmd->add_option("--sasrec-mix", e.sasrec_mix, "mean or product")->capture_default_str();
  cmd->add_option("--sasrec-temperature", e.sasrec_temperature, "divides SASRec's item log-probabilities")
      ->capture_default_str();
  add_data_options(cmd, e.data_root, e.dataset);
  cmd->add_option("--users-split", e.users_split, "the split whose users the web page offers")->capture_default_str();
  cmd->add_option("--style", e.style, "prompt style the model was trained with: reference, compact or sequence")
      ->capture_default_str();
  cmd->add_option("--prompt-style", e.prompt_style, "plain mode: reference or training (as evaluate)")
      ->capture_default_str();
  cmd->add_option("--beams", e.beams, "beam width (the largest k a request may ask)")->capture_default_str();
  cmd->add_option("--think-tokens", e.think_tokens, "think mode: greedy thought budget")->capture_default_str();
  cmd->add_option("--host", o->host, "address to listen on")->capture_default_str();
  cmd->add_option("--port", o->port, "port (0 = any free port, printed)")->capture_default_str();
  cmd->add_option("--max-batch", o->batcher.max_batch, "requests per batched search")->capture_default_str();
  cmd->add_option("--max-wait-ms", o->batcher.max_wait_ms, "how long the oldest request waits for a batch to fill")
      ->capture_default_str();
  cmd->add_option("--max-queue", o->batcher.max_queue, "queued requests; above it the server answers 503")
      ->capture_default_str();
  cmd->add_option("--timeout-ms", o->timeout_ms, "per-request timeout (queue wait plus model time): 504")
      ->capture_default_str();
  cmd->add_option("--max-body-bytes", o->max_body_bytes, "request body limit: 413")->capture_default_str();
  cmd->add_option("--max-history", o->limits.max_history, "history items per request: 413")->capture_default_str();
  cmd->add_option("--max-tokens", o->limits.max_tokens, "chat completions: the largest max_tokens")
      ->capture_default_str();
  cmd->add_option("--http-threads", o->http_threads, "connections served at once")->capture_default_str();
  add_runtime_options(cmd, e.stack.runtime);
  cmd->callback([o] {
    o->limits.beams = o->engine.beams;
    serve::run_server(*o);
  });
}

}  // namespace
SIDR_COMMAND(75, setup);
}  // namespace sidr::cli
