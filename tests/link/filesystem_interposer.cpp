// A shared library that, like pip's libtorch.so, exports its own std::filesystem::remove_all. This one removes
// nothing and says so; link_order_probe checks that our executables never call it.
#include <cstdint>
#include <filesystem>
#include <system_error>

std::uintmax_t std::filesystem::remove_all(const std::filesystem::path&, std::error_code& ec) {
  ec.clear();
  return static_cast<std::uintmax_t>(-7);  // the interposer's mark
}

extern "C" int sidr_interposer_loaded() { return 1; }
