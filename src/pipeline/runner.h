// Runs the pipeline's stages as child processes of this binary (one subcommand each), skipping a stage whose
// output exists, recording wall time and peak memory per stage in timings.json.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "util/json.h"

namespace sidr::pipeline {

struct Stage {
  std::string name;                    // "tokenizer", "stage1", "eval_test", ...
  std::filesystem::path done_marker;   // the stage is complete when this path exists
  std::vector<std::vector<std::string>> commands;  // sidreasoner argv (without the program name), run in order
  // An `sft` stage writing into <run>/<name>: when that holds checkpoints of an interrupted run (SIGTERM, a kill)
  // and the stage is not redone with --from, its command gets --resume (not recorded: the result is the same).
  bool resumable = false;
};

// "--key value" flags from a JSON object (key underscores become dashes; true booleans become bare flags,
// false ones are left out; arrays repeat the value list after one flag). Keys in `skip` are left out.
std::vector<std::string> flags_from_json(const Json& object, const std::vector<std::string>& skip = {});

struct RunnerOptions {
  std::filesystem::path run_dir;
  std::string from_stage;  // redo this stage and all after it
  bool dry_run = false;    // print the commands, run nothing
};

// The stage's commands as recorded in timings.json ("commands": a list of argv lists).
Json commands_json(const Stage& stage);

// InputError when a stage before `from_stage` whose output exists was made by other commands than the stage's
// now (recorded in timings.json when it finished): its output would not be what config.json says.
void check_reusable(const std::vector<Stage>& stages, const RunnerOptions& options, const Json& timings);

// Before anything runs: every command parses (`sidreasoner --check-args`, so a typo in a preset or an override
// fails at once) and every stage that would be reused passes check_reusable. InputError otherwise.
void check_stages(const std::vector<Stage>& stages, const RunnerOptions& options);

// Runs the stages in order (after check_stages). Throws Error naming the stage (and its exit code) when a
// command fails.
void run_stages(const std::vector<Stage>& stages, const RunnerOptions& options);

}  // namespace sidr::pipeline
