// sidreasoner: one binary, one subcommand per stage. Errors from the library are printed as one line;
// exit code 2 for bad input (files, options), 1 for internal failures.
#include <cstdio>
#include <map>
#include <vector>

#include "cli/blas_auto.h"
#include "cli/command.h"
#include "util/error.h"

namespace sidr::cli {

static std::multimap<int, CommandSetup>& registry() {
  static std::multimap<int, CommandSetup> commands;
  return commands;
}

CommandRegistrar::CommandRegistrar(int order, CommandSetup setup) { registry().emplace(order, std::move(setup)); }

void register_all_commands(CLI::App& root) {
  for (auto& [order, setup] : registry()) setup(root);
}

}  // namespace sidr::cli

int main(int argc, char** argv) {
  // Before anything touches BLAS: a user-facing run may re-exec itself with a faster OpenBLAS kernel.
  const bool no_blas_auto = sidr::cli::take_no_blas_auto_flag(argc, argv);
  if (!no_blas_auto) sidr::cli::maybe_reexec_with_faster_blas(argc, argv);
  CLI::App app{"sidreasoner: generative recommendation that reasons over Semantic IDs"};
  // Taken out of argv above wherever it stands; declared here so --help lists it.
  app.add_flag("--no-blas-auto",
               "Keep OpenBLAS's own kernel choice in pipeline/sft/evaluate (same as SIDR_BLAS_AUTO=0)");
  app.require_subcommand(1);
  app.set_version_flag("--version", "sidreasoner 0.1.0");
  sidr::cli::register_all_commands(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  } catch (const sidr::InputError& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "internal error: %s\n", e.what());
    return 1;
  }
  return 0;
}
