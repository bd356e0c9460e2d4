// CLI11 flags from an options struct's field list (util/option_fields.h): "--" + name with '_' -> '-', the
// field's help, its default shown unless hidden, required when marked. Checks the list cannot say (a
// validator, an allowed set) go on the returned handles: handles.at("limit")->check(...).
#pragma once
#include <map>
#include <string>
#include <type_traits>

#include <CLI/CLI.hpp>

#include "util/common_option_fields.h"
#include "util/option_fields.h"

namespace sidr::cli {

using OptionHandles = std::map<std::string, CLI::Option*, std::less<>>;

// "--no-progress,--quiet" -> "!--no-progress,!--quiet": CLI11's spelling of flags that set false.
inline std::string negated_names(const std::string& names) {
  std::string out = "!";
  for (char c : names) {
    out += c;
    if (c == ',') out += '!';
  }
  return out;
}

template <class T>
CLI::Option* add_field(CLI::App* cmd, const opts::Field& field, T& value) {
  std::string names = opts::flag_name(field);
  if (!field.aliases.empty()) names += "," + std::string(field.aliases);
  const std::string help(field.help);
  CLI::Option* option = nullptr;
  if constexpr (std::is_same_v<T, bool>) {
    option = cmd->add_flag(field.has(opts::kNegatedFlag) ? negated_names(names) : names, value, help);
  } else {
    option = cmd->add_option(names, value, help);
    if (!field.has(opts::kHideDefault)) option->capture_default_str();
  }
  if (field.has(opts::kRequired)) option->required();
  return option;
}

// One flag per field of `options` (which must outlive the parse), keyed by field name.
template <class Options>
OptionHandles add_option_fields(CLI::App* cmd, Options& options) {
  OptionHandles handles;
  Options::fields(options, [&](const opts::Field& field, auto& value) {
    handles.emplace(std::string(field.name), add_field(cmd, field, value));
  });
  return handles;
}

// The data group for a command whose options have no field list yet.
template <class Root, class Name>
void add_data_options(CLI::App* cmd, Root& root, Name& dataset) {
  opts::data_fields(root, dataset, [&](const opts::Field& field, auto& value) { add_field(cmd, field, value); });
}

inline void add_progress_flag(CLI::App* cmd, bool& progress) {
  opts::progress_field(progress, [&](const opts::Field& field, bool& value) { add_field(cmd, field, value); });
}

}  // namespace sidr::cli
