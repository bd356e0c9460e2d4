#include "util/file_io.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "util/error.h"

namespace sidr {
namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw InputError(path.string() + ": file not found");
  if (fs::is_directory(path, ec)) throw InputError(path.string() + ": is a directory, expected a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path.string() + ": cannot open: " + std::strerror(errno));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) throw InputError(path.string() + ": read error");
  return std::move(buffer).str();
}

static void fsync_path(const fs::path& path, bool directory) {
  int fd = ::open(path.c_str(), directory ? O_RDONLY | O_DIRECTORY : O_RDONLY);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

void write_file_atomic(const fs::path& path, std::string_view content) {
  if (path.has_parent_path()) fs::create_directories(path.parent_path());
  fs::path temp = path;
  temp += ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(temp.string() + ": cannot create: " + std::strerror(errno));
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.flush();
    if (!out) {
      std::error_code ignore;
      fs::remove(temp, ignore);
      throw Error(temp.string() + ": write failed (disk full?)");
    }
  }
  fsync_path(temp, false);
  fs::rename(temp, path);
  fsync_path(path.has_parent_path() ? path.parent_path() : fs::path("."), true);
}

AtomicDirectory::AtomicDirectory(fs::path final_path) : final_path_(std::move(final_path)) {
  fs::path parent = final_path_.has_parent_path() ? final_path_.parent_path() : fs::path(".");
  fs::create_directories(parent);
  temp_path_ = parent / (final_path_.filename().string() + ".tmp." + std::to_string(::getpid()));
  std::error_code ec;
  fs::remove_all(temp_path_, ec);
  fs::create_directories(temp_path_);
}

AtomicDirectory::~AtomicDirectory() {
  if (!committed_) {
    std::error_code ec;
    fs::remove_all(temp_path_, ec);
  }
}

void AtomicDirectory::commit() {
  std::error_code ec;
  fs::path old = final_path_;
  old += ".old." + std::to_string(::getpid());
  bool had_old = fs::exists(final_path_, ec);
  if (had_old) fs::rename(final_path_, old);
  fs::rename(temp_path_, final_path_);
  committed_ = true;
  if (had_old) fs::remove_all(old, ec);
  fsync_path(final_path_.has_parent_path() ? final_path_.parent_path() : fs::path("."), true);
}

}  // namespace sidr
