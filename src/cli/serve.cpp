// `sidreasoner serve`: recommendations (plain or with their reasoning) and chat completions over HTTP, with
// dynamic batching, from the same model options as `evaluate` (docs/serve.md).
#include "cli/command.h"
#include "cli/option_fields.h"
#include "serve/server.h"

namespace sidr::cli {
namespace {

void setup(CLI::App& root) {
  auto o = std::make_shared<serve::ServeOptions>();
  auto* cmd = root.add_subcommand("serve", "Serve recommendations and chat completions over HTTP (JSON API, web page)");
  add_option_fields(cmd, *o);
  cmd->callback([o] {
    o->limits.beams = o->engine.beams;
    serve::run_server(*o);
  });
}

}  // namespace
SIDR_COMMAND(75, setup);
}  // namespace sidr::cli
