// sidreasoner: one binary, one subcommand per stage. Errors from the library are printed as one line;
// exit code 2 for bad input (files, options), 1 for internal failures.
#include <cstdio>
#include <map>
#include <vector>

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
  CLI::App app{"sidreasoner: generative recommendation that reasons over Semantic IDs"};
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
