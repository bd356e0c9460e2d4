// Subcommand registration: each src/cli/<name>.cpp registers its subcommand with SIDR_COMMAND, so adding a
// command touches one file. Options are parsed into a struct at this edge; the callback calls the library.
#pragma once
#include <functional>

#include <CLI/CLI.hpp>

namespace sidr::cli {

using CommandSetup = std::function<void(CLI::App& root)>;

struct CommandRegistrar {
  // `order` fixes where the command appears in --help.
  CommandRegistrar(int order, CommandSetup setup);
};

// Runs every registered setup in order on the root app.
void register_all_commands(CLI::App& root);

}  // namespace sidr::cli

#define SIDR_CONCAT_INNER(a, b) a##b
#define SIDR_CONCAT(a, b) SIDR_CONCAT_INNER(a, b)
#define SIDR_COMMAND(order, setup_function) \
  static ::sidr::cli::CommandRegistrar SIDR_CONCAT(sidr_command_, __LINE__)(order, setup_function)
