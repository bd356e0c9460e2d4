// Unicode NFC (Hugging Face's NFC normalizer) via utf8proc, with a fast path for text that is already NFC.
#pragma once
#include <string>
#include <string_view>

namespace sidr::text {

// NFC of valid UTF-8 text. Text whose code points are all below U+0300 is returned unchanged (it is NFC).
std::string nfc(std::string_view text);
// True if nfc(text) would return text unchanged without running the composition (the fast path).
bool trivially_nfc(std::string_view text);

}  // namespace sidr::text
