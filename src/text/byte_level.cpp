#include "util/utf8.h"
#include "text/byte_level.h"

#include <vector>

namespace sidr::text {
namespace {

struct Tables {
  std::array<std::string, 256> to_unicode;
  std::array<unsigned char, 256> order{};
  std::vector<int> from_unicode;  // indexed by code point < 512
  Tables() : from_unicode(512, -1) {
    int extra = 0, k = 0;
    auto printable = [](int b) { return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF); };
    for (int b = 0; b < 256; ++b)
      if (printable(b)) order[k++] = static_cast<unsigned char>(b);
    for (int b = 0; b < 256; ++b)
      if (!printable(b)) order[k++] = static_cast<unsigned char>(b);
    for (int b = 0; b < 256; ++b) {
      char32_t cp = printable(b) ? static_cast<char32_t>(b) : static_cast<char32_t>(256 + extra++);
      append_utf8(to_unicode[b], cp);
      from_unicode[cp] = b;
    }
  }
};

const Tables& tables() {
  static const Tables t;
  return t;
}

}  // namespace

const std::array<std::string, 256>& byte_to_unicode() { return tables().to_unicode; }
const std::array<unsigned char, 256>& byte_order() { return tables().order; }

int unicode_to_byte(char32_t code_point) {
  return code_point < 512 ? tables().from_unicode[code_point] : -1;
}


char32_t next_code_point(std::string_view s, std::size_t& i) {
  auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) {
    ++i;
    return c;
  }
  int len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
  char32_t cp = c & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
  for (int k = 1; k < len && i + k < s.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  i += len;
  return cp;
}

std::string bytes_to_byte_level(std::string_view bytes) {
  const auto& map = byte_to_unicode();
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) out += map[b];
  return out;
}

bool byte_level_to_bytes(std::string_view text, std::string& out) {
  std::size_t i = 0;
  while (i < text.size()) {
    int b = unicode_to_byte(next_code_point(text, i));
    if (b < 0) return false;
    out += static_cast<char>(b);
  }
  return true;
}

std::string utf8_lossy(std::string_view bytes) {
  const auto* s = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t n = bytes.size();
  std::string out;
  out.reserve(n);
  std::size_t i = 0;
  while (i < n) {
    unsigned char c = s[i];
    if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    // Expected length and the allowed range of the second byte (Unicode Table 3-7).
    std::size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) len = 2;
    else if (c == 0xE0) len = 3, lo = 0xA0;
    else if (c >= 0xE1 && c <= 0xEC) len = 3;
    else if (c == 0xED) len = 3, hi = 0x9F;
    else if (c >= 0xEE && c <= 0xEF) len = 3;
    else if (c == 0xF0) len = 4, lo = 0x90;
    else if (c >= 0xF1 && c <= 0xF3) len = 4;
    else if (c == 0xF4) len = 4, hi = 0x8F;
    std::size_t good = 1;  // bytes that form a valid prefix of a sequence
    if (len > 0) {
      for (std::size_t k = 1; k < len; ++k) {
        if (i + k >= n) break;
        unsigned char d = s[i + k];
        unsigned char l = k == 1 ? lo : 0x80, h = k == 1 ? hi : 0xBF;
        if (d < l || d > h) break;
        ++good;
      }
    }
    if (len > 0 && good == len) {
      out.append(bytes.substr(i, len));
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      i += good;
    }
  }
  return out;
}

}  // namespace sidr::text
