// Helpers of the option field-list tests (tests/train/sft_options_test.cpp, tests/eval/evaluate_options_test.cpp).
#pragma once
#include <set>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/option_fields.h"
#include "util/json.h"

namespace sidr::testing_options {

inline std::set<std::string> keys_of(const Json& json) {
  std::set<std::string> keys;
  for (const auto& item : json.items()) keys.insert(item.key());
  return keys;
}

// An options struct filled by parsing a command line through its field list's flags.
template <class Options>
Options parsed(const std::string& command_line) {
  CLI::App app;
  Options options;
  cli::add_option_fields(&app, options);
  app.parse(command_line, false);
  return options;
}

}  // namespace sidr::testing_options
