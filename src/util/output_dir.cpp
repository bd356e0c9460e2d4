#include "util/output_dir.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "util/error.h"

namespace sidr {
namespace fs = std::filesystem;

static std::string fmt_path_error(const std::string& option, const fs::path& dir, const std::string& why) {
  return option + ": " + dir.string() + ": " + why;
}

void check_output_directory(const fs::path& dir, const std::string& option) {
  std::error_code ec;
  const fs::path target = fs::absolute(dir, ec);
  if (ec) throw InputError(fmt_path_error(option, dir, ec.message()));
  fs::path existing = target;
  while (!fs::exists(existing, ec) && existing.has_parent_path() && existing != existing.parent_path())
    existing = existing.parent_path();
  if (!fs::is_directory(existing, ec))
    throw InputError(fmt_path_error(option, dir, existing.string() + " is not a directory"));
  const fs::path probe = existing / (".sidr_write_probe." + std::to_string(::getpid()));
  if (::mkdir(probe.c_str(), 0700) != 0)
    throw InputError(fmt_path_error(option, dir, "cannot create anything in " + existing.string() + " (" +
                                                     std::strerror(errno) + ")"));
  ::rmdir(probe.c_str());
}

}  // namespace sidr
