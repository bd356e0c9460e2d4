// `sidreasoner pipeline` and `sidreasoner report`.
#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "cli/command.h"
#include "cli/option_fields.h"
#include "pipeline/pipeline.h"
#include "pipeline/report.h"
#include "util/error.h"
#include "util/file_io.h"

namespace sidr::cli {
namespace {
namespace fs = std::filesystem;

void setup_pipeline(CLI::App& root) {
  auto options = std::make_shared<pipeline::PipelineOptions>();
  auto* cmd = root.add_subcommand("pipeline", "Run every stage from a preset into one run directory");
  cmd->add_option("--preset", options->preset, "quick | cpu | qwen3-1.7b, or a preset JSON file")
      ->capture_default_str();
  cmd->add_option("--out", options->out, "run directory (default runs/<preset>)");
  add_data_options(cmd, options->data, options->dataset);
  cmd->add_option("--base-model", options->base_model, "local Hugging Face model directory (pretrained presets)");
  cmd->add_option("--from", options->from_stage, "redo this stage and every stage after it");
  cmd->add_option("--set", options->overrides, "override a preset value, e.g. --set sft.epochs=2 (repeatable)");
  cmd->add_flag("--dry-run", options->dry_run, "print the stage commands without running them");
  cmd->callback([options] { pipeline::run_pipeline(*options); });
}

void setup_report(CLI::App& root) {
  auto run_dir = std::make_shared<fs::path>();
  auto dataset = std::make_shared<std::string>("Industrial_and_Scientific");
  auto* cmd = root.add_subcommand("report", "(Re)write report.md and report.html of a run directory");
  cmd->add_option("run_dir", *run_dir, "run directory")->required();
  cmd->add_option("--dataset", *dataset, "dataset name (selects the published rows)")->capture_default_str();
  cmd->callback([run_dir, dataset] {
    if (!fs::is_directory(*run_dir)) throw InputError(run_dir->string() + ": not a run directory");
    pipeline::write_report(*run_dir, *dataset);
    fmt::print("{}", pipeline::format_results_table(pipeline::collect_results(*run_dir, *dataset)));
  });
}

// `sidreasoner internal touch FILE`: the pipeline's portable way to mark a stage done.
void setup_internal(CLI::App& root) {
  auto path = std::make_shared<fs::path>();
  auto* cmd = root.add_subcommand("internal", "Helpers used by the pipeline");
  cmd->group("");  // hidden from --help
  auto* touch = cmd->add_subcommand("touch", "create an empty marker file");
  touch->add_option("file", *path)->required();
  touch->callback([path] { write_file_atomic(*path, ""); });
}

}  // namespace
SIDR_COMMAND(80, setup_pipeline);
SIDR_COMMAND(81, setup_report);
SIDR_COMMAND(99, setup_internal);
}  // namespace sidr::cli
