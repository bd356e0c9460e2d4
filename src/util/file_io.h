// Whole-file reads and atomic writes (temp file + fsync + rename: a reader never sees half a file).
#pragma once
#include <filesystem>
#include <string>
#include <string_view>

namespace sidr {

// Reads the whole file; InputError naming the path if it is missing or unreadable.
std::string read_file(const std::filesystem::path& path);

// Writes content to path atomically: path.tmp.<pid> is written, flushed, fsync'ed, then renamed.
void write_file_atomic(const std::filesystem::path& path, std::string_view content);

// A directory that appears at `final_path` only when commit() is called. Until then the work goes
// into a sibling temporary directory, which the destructor removes if commit() was not reached.
class AtomicDirectory {
 public:
  explicit AtomicDirectory(std::filesystem::path final_path);
  ~AtomicDirectory();
  AtomicDirectory(const AtomicDirectory&) = delete;
  AtomicDirectory& operator=(const AtomicDirectory&) = delete;

  const std::filesystem::path& path() const { return temp_path_; }  // write here
  // Replaces final_path (an older directory there is removed after the rename succeeds).
  void commit();

 private:
  std::filesystem::path final_path_;
  std::filesystem::path temp_path_;
  bool committed_ = false;
};

}  // namespace sidr
