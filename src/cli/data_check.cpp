// `sidreasoner data check`: validate a dataset and print its statistics.
// `sidreasoner data parse-list`: the list-literal parser as a filter (one JSON string per input line, one JSON
// array or {"error": ...} per output line), so tests can compare it with Python's ast.literal_eval.
#include <iostream>
#include <string>

#include <fmt/format.h>

#include "cli/command.h"
#include "cli/option_fields.h"
#include "data/list_literal.h"
#include "data/validate.h"
#include "util/error.h"
#include "util/json.h"

namespace sidr::cli {
namespace {

struct CheckOptions {
  std::string data = "data/Amazon";
  std::string dataset = "Industrial_and_Scientific";
};

void run_check(const CheckOptions& options) {
  data::DatasetPaths paths{options.data, options.dataset};
  data::CheckReport report = data::check_dataset(paths);
  fmt::print("{}", data::format_report(report));
}

void run_parse_list() {
  std::string line;
  std::size_t number = 0;
  while (std::getline(std::cin, line)) {
    ++number;
    std::string text = parse_json(line, "<stdin line " + std::to_string(number) + ">").get<std::string>();
    Json out;
    try {
      out = Json::array();
      for (const data::LiteralValue& value : data::parse_list_literal(text, Location{"<stdin>", number, 0, ""})) {
        if (value.is_string)
          out.push_back(value.text);
        else
          out.push_back(value.number);
      }
    } catch (const InputError& e) {
      out = Json{{"error", e.what()}};
    }
    std::cout << out.dump(-1, ' ', false, Json::error_handler_t::replace) << '\n';
  }
}

void setup(CLI::App& root) {
  auto* data = root.add_subcommand("data", "Dataset tools: validation and statistics");
  data->require_subcommand(1);

  auto options = std::make_shared<CheckOptions>();
  auto* check = data->add_subcommand("check", "Validate every file and cross-reference of a dataset, print statistics");
  add_data_options(check, options->data, options->dataset);
  check->callback([options] { run_check(*options); });

  auto* parse = data->add_subcommand(
      "parse-list", "Parse Python list literals: one JSON string per stdin line -> one JSON array per line");
  parse->callback(run_parse_list);
}

}  // namespace
SIDR_COMMAND(10, setup);
}  // namespace sidr::cli
