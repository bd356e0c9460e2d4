// sidreasoner: one binary, one subcommand per stage. Errors from the library are printed as one line;
// exit code 2 for bad input (files, options), 1 for internal failures.
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
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

// `sidreasoner --check-args CMD ...`: parse CMD's command line (option names, value types, required options)
// and exit without running it: 0, or the parse error's one line and exit 2. The pipeline checks every stage's
// command this way before the first stage runs. The root's parse-complete callback runs after every option is
// converted and checked and before any subcommand's callback, so throwing there stops the run.
// Paths an earlier stage writes do not exist yet when the pipeline checks, so existence validators are off.
struct ArgumentsChecked {};

static void skip_existence_checks(CLI::App& app) {
  for (CLI::Option* option : app.get_options()) {
    for (int i = 0;; ++i) {
      CLI::Validator* validator = nullptr;
      try {
        validator = option->get_validator(i);
      } catch (const CLI::OptionNotFound&) {
        break;
      }
      // CLI11's existence checks describe themselves as FILE, DIR or PATH (their names are not kept).
      const std::string kind = validator->get_description();
      if (kind == "FILE" || kind == "DIR" || kind == "PATH") validator->active(false);
    }
  }
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) skip_existence_checks(*sub);
}

// The first line of an error message (torch's carry a multi-line backtrace after it).
static std::string first_line(const char* what) {
  std::string text = what;
  return text.substr(0, text.find('\n'));
}

}  // namespace sidr::cli

int main(int argc, char** argv) {
  // Before anything touches BLAS: a user-facing run may re-exec itself with a faster OpenBLAS kernel.
  const bool no_blas_auto = sidr::cli::take_no_blas_auto_flag(argc, argv);
  const bool check_only = argc > 1 && std::strcmp(argv[1], "--check-args") == 0;  // parses, runs no BLAS
  if (!no_blas_auto && !check_only) sidr::cli::maybe_reexec_with_faster_blas(argc, argv);
  CLI::App app{"sidreasoner: generative recommendation that reasons over Semantic IDs"};
  // Taken out of argv above wherever it stands; declared here so --help lists it.
  app.add_flag("--no-blas-auto",
               "Keep OpenBLAS's own kernel choice in pipeline/sft/evaluate (same as SIDR_BLAS_AUTO=0)");
  app.require_subcommand(1);
  app.set_version_flag("--version", "sidreasoner 0.1.0");
  sidr::cli::register_all_commands(app);
  if (check_only) {
    sidr::cli::skip_existence_checks(app);
    app.parse_complete_callback([] { throw sidr::cli::ArgumentsChecked{}; });
    argv[1] = argv[0];  // drop the flag: parse the rest as an ordinary command line
    ++argv;
    --argc;
  }
  try {
    app.parse(argc, argv);
  } catch (const sidr::cli::ArgumentsChecked&) {
    return 0;
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // One line (CLI11's own exit() adds "Run with --help for more information." on a second one).
    std::fprintf(stderr, "error: %s\n", sidr::cli::first_line(e.what()).c_str());
    return 2;
  } catch (const sidr::InputError& e) {
    std::fprintf(stderr, "error: %s\n", sidr::cli::first_line(e.what()).c_str());
    return 2;
  } catch (const std::exception& e) {
    // A torch error (c10::Error) carries a C++ backtrace after its first line: never print it.
    std::fprintf(stderr, "internal error: %s\n", sidr::cli::first_line(e.what()).c_str());
    return 1;
  }
  return 0;
}
