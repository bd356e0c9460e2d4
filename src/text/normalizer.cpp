#include "text/normalizer.h"

#include <cstdlib>

#include <utf8proc.h>

#include "util/error.h"

namespace sidr::text {

bool trivially_nfc(std::string_view text) {
  // A code point >= U+0300 starts with a byte >= 0xCC; everything below U+0300 is NFC-stable on its own.
  for (unsigned char c : text)
    if (c >= 0xCC) return false;
  return true;
}

std::string nfc(std::string_view text) {
  if (trivially_nfc(text)) return std::string(text);
  utf8proc_uint8_t* out = nullptr;
  utf8proc_ssize_t n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(text.data()),
                                    static_cast<utf8proc_ssize_t>(text.size()), &out,
                                    static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
  if (n < 0) throw InputError(std::string("NFC normalisation failed: ") + utf8proc_errmsg(n));
  std::string result(reinterpret_cast<char*>(out), static_cast<std::size_t>(n));
  std::free(out);
  return result;
}

}  // namespace sidr::text
