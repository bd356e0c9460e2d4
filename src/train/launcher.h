// Local data-parallel launch: the process re-runs its own binary once per rank with RANK, WORLD_SIZE,
// LOCAL_RANK, MASTER_ADDR and MASTER_PORT set (what torchrun would set), and waits for all of them.
#pragma once
#include <map>
#include <string>
#include <vector>

namespace sidr::train {

// True when this process is already a rank of a launched group (WORLD_SIZE is set).
bool launched_as_rank();

// This process's command line (from /proc/self/cmdline).
std::vector<std::string> own_command_line();

// Runs `nproc` copies of /proc/self/exe with `args` (argv[1..]) and the rank variables plus `extra_env` (only set
// where the environment does not already define them). The children die with this process. When one rank fails,
// the others are stopped. Returns 0 when every rank exits 0, else the first failing rank's exit code.
int launch_local_ranks(int nproc, const std::vector<std::string>& args,
                       const std::map<std::string, std::string>& extra_env);

// A TCP port on 127.0.0.1 that was free a moment ago.
int free_local_port();

}  // namespace sidr::train
