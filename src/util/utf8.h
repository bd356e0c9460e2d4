// UTF-8 validation.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace sidr {

// Offset of the first byte that is not part of a valid UTF-8 sequence, or npos if text is valid.
std::size_t first_invalid_utf8(std::string_view text);

// Appends the UTF-8 encoding of a code point (at most U+10FFFF; callers reject surrogates where it matters).
void append_utf8(std::string& out, char32_t code_point);

}  // namespace sidr
