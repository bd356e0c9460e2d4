// `sidreasoner data prepare`: raw interactions (Amazon 2018 or 2023 JSON lines, or interactions.csv + items.csv) ->
// MiniOneRec's .inter files and item.json; `data convert`: those + index.json -> the reference layout
// (src/prepare, docs/prepare.md).
#include <memory>
#include <string>

#include <fmt/format.h>

#include "cli/command.h"
#include "prepare/convert.h"
#include "prepare/prepare.h"
#include "util/error.h"

namespace sidr::cli {
namespace {

struct PrepareArgs {
  std::string format = "amazon18";
  std::string reviews, meta, interactions, items, dataset, out, start, end;
  int k = 5;
  std::size_t min_items = 3000;
  int floor_year = 1996;
};

void run(const PrepareArgs& args) {
  prepare::PrepareOptions options;
  if (args.format == "amazon18" || args.format == "amazon23") {
    options.format = args.format == "amazon18" ? prepare::InputFormat::kAmazon18 : prepare::InputFormat::kAmazon23;
    if (args.reviews.empty() || args.meta.empty())
      throw_input_error(Location{"", 0, 0, "--format"}, args.format + " needs --reviews and --meta");
    options.reviews = args.reviews;
    options.meta = args.meta;
  } else if (args.format == "generic") {
    options.format = prepare::InputFormat::kGeneric;
    if (args.interactions.empty() || args.items.empty())
      throw_input_error(Location{"", 0, 0, "--format"}, "generic needs --interactions and --items");
    options.reviews = args.interactions;
    options.meta = args.items;
  } else {
    throw_input_error(Location{"", 0, 0, "--format"}, "expected amazon18, amazon23 or generic, found '" + args.format + "'");
  }
  options.dataset = args.dataset;
  options.out = args.out;
  options.window.k = args.k;
  options.window.min_items = args.min_items;
  options.window.floor_year = args.floor_year;
  if (!args.start.empty()) options.window.start = prepare::parse_year_month(args.start, "--start");
  if (!args.end.empty()) options.window.end = prepare::parse_year_month(args.end, "--end");
  if (options.format != prepare::InputFormat::kGeneric && (!options.window.start || !options.window.end))
    throw_input_error(Location{"", 0, 0, "--start"},
                      args.format + " needs --start and --end (e.g. 2017-10 and 2018-11)");
  fmt::print("{}", prepare::format_prepare_report(prepare::run_prepare(options)));
}

void setup(CLI::App& root) {
  CLI::App* data = root.get_subcommand("data");  // created by data_check.cpp (order 10)
  auto args = std::make_shared<PrepareArgs>();
  auto* prepare = data->add_subcommand(
      "prepare", "Raw interactions -> NAME.{train,valid,test}.inter and NAME.item.json (MiniOneRec's amazon18 script)");
  prepare->add_option("--format", args->format, "amazon18, amazon23 (JSON lines, plain or .gz) or generic (CSV)")
      ->capture_default_str();
  prepare->add_option("--reviews", args->reviews, "amazon18/23: reviews JSON lines (.json[l] or .json[l].gz)");
  prepare->add_option("--meta", args->meta, "amazon18/23: metadata JSON lines (.json[l] or .json[l].gz)");
  prepare->add_option("--interactions", args->interactions, "generic: interactions.csv (user,item,timestamp)");
  prepare->add_option("--items", args->items, "generic: items.csv (item,title[,description,brand,categories])");
  prepare->add_option("--dataset", args->dataset, "Dataset name (output file prefix)")->required();
  prepare->add_option("--k", args->k, "k-core threshold for users and items")->capture_default_str();
  prepare->add_option("--start", args->start, "Window start month YYYY-MM (local time, as the script)");
  prepare->add_option("--end", args->end, "Window end month YYYY-MM (its day 1, 00:00 is the last moment kept)");
  prepare->add_option("--min-items", args->min_items,
                      "Move the start back a year while fewer items survive (the script's 3000)")
      ->capture_default_str();
  prepare->add_option("--floor-year", args->floor_year, "No expansion once the start year is this")
      ->capture_default_str();
  prepare->add_option("--out", args->out, "Output directory")->required();
  prepare->callback([args] { run(*args); });

  struct ConvertArgs {
    std::string prepared, dataset, index, out;
  };
  auto convert_args = std::make_shared<ConvertArgs>();
  auto* convert = data->add_subcommand(
      "convert", "NAME.*.inter + NAME.item.json + index.json -> the reference layout (convert_dataset.py)");
  convert->add_option("--prepared", convert_args->prepared, "Directory `data prepare` wrote")->required();
  convert->add_option("--dataset", convert_args->dataset, "Dataset name")->required();
  convert->add_option("--index", convert_args->index, "index.json (e.g. from `sid build`)")->required();
  convert->add_option("--out", convert_args->out, "Root of the reference layout (train/ valid/ test/ index/ info/)")
      ->required();
  convert->callback([convert_args] {
    prepare::ConvertReport report = prepare::convert_to_reference_layout(
        convert_args->prepared, convert_args->dataset, convert_args->index, convert_args->out);
    fmt::print("converted         {} items; rows {}/{}/{} (train/valid/test) -> {}\n", report.items, report.rows[0],
               report.rows[1], report.rows[2], convert_args->out);
  });
}

}  // namespace
SIDR_COMMAND(11, setup);
}  // namespace sidr::cli
