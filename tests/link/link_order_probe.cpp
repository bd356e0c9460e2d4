// Links filesystem_interposer (a library exporting std::filesystem::remove_all, as pip's libtorch.so does) and
// calls remove_all: the call must reach libstdc++ (the directory is gone), not the interposer (returns -7).
// The project's linker flags put the system libstdc++ first in every executable's library list (CMakeLists.txt).
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <system_error>

#include <unistd.h>

extern "C" int sidr_interposer_loaded();

int main() {
  namespace fs = std::filesystem;
  if (sidr_interposer_loaded() != 1) return 2;
  fs::path dir = fs::temp_directory_path() / ("sidr_link_probe." + std::to_string(::getpid()));
  fs::create_directories(dir / "sub");
  std::ofstream(dir / "sub" / "file") << "x";
  std::error_code ec;
  std::uintmax_t removed = fs::remove_all(dir, ec);
  if (removed == static_cast<std::uintmax_t>(-7)) {
    std::printf("FAIL: std::filesystem::remove_all bound to the interposing library, not libstdc++\n");
    return 1;
  }
  if (ec || fs::exists(dir) || removed != 3) {
    std::printf("FAIL: remove_all removed %ju entries (%s)\n", removed, ec.message().c_str());
    return 1;
  }
  std::printf("ok: std::filesystem::remove_all from libstdc++ (%ju entries removed)\n", removed);
  return 0;
}
