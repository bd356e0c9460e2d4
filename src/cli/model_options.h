// Options shared by the commands that run a model (--device, --dtype, --threads) and token-id parsing.
#pragma once
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/option_fields.h"
#include "model/runtime.h"
#include "util/error.h"

namespace sidr::cli {

inline void add_runtime_options(CLI::App* cmd, model::RuntimeOptions& options) { add_option_fields(cmd, options); }

// "1 5 42" or "1,5,42" -> ids; InputError naming the option on anything else.
inline std::vector<std::int64_t> parse_ids(const std::string& text, const std::string& option) {
  std::string spaced = text;
  for (auto& c : spaced)
    if (c == ',') c = ' ';
  std::istringstream in(spaced);
  std::vector<std::int64_t> ids;
  std::string word;
  while (in >> word) {
    std::size_t used = 0;
    long long value = -1;
    try {
      value = std::stoll(word, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != word.size() || value < 0)
      throw InputError("option '" + option + "': '" + word + "' is not a token id (non-negative integer)");
    ids.push_back(value);
  }
  if (ids.empty()) throw InputError("option '" + option + "': no token ids given");
  return ids;
}

}  // namespace sidr::cli
