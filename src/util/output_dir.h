// Checking an output directory before any work: a path that could not be created or written is refused up front.
#pragma once
#include <filesystem>
#include <string>

namespace sidr {

// Refuses (InputError naming `option` and the path) an output directory that could not be created or written:
// a path that is not a directory, or whose nearest existing ancestor refuses a new entry. Probes with a
// temporary directory it removes again, so nothing is left behind. Call it before any work.
void check_output_directory(const std::filesystem::path& dir, const std::string& option);

}  // namespace sidr
