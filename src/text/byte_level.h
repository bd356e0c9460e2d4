// GPT-2 byte-level alphabet: every byte maps to one printable code point (so "Ġ" stands for a space), plus
// Rust's from_utf8_lossy, which Hugging Face's ByteLevel decoder applies to the decoded bytes.
#pragma once
#include <array>
#include <string>
#include <string_view>

namespace sidr::text {

// UTF-8 of the code point that stands for each byte (bytes_to_unicode in GPT-2's encoder.py).
const std::array<std::string, 256>& byte_to_unicode();
// Byte for a byte-level code point, or -1 if the code point is not in the alphabet.
int unicode_to_byte(char32_t code_point);
// The 256 bytes in GPT-2's vocabulary order (printable bytes first, then the rest as 256+n).
const std::array<unsigned char, 256>& byte_order();

// Maps a byte string to its byte-level text ("a b" -> "aĠb").
std::string bytes_to_byte_level(std::string_view bytes);
// Maps byte-level text back to bytes; false if some code point is not in the alphabet (out is then undefined).
bool byte_level_to_bytes(std::string_view text, std::string& out);

// Replaces each invalid UTF-8 sequence by U+FFFD exactly as Rust's String::from_utf8_lossy does.
std::string utf8_lossy(std::string_view bytes);

// Decodes one code point at text[i] (valid UTF-8 assumed) and advances i. (Encoding: sidr::append_utf8.)
char32_t next_code_point(std::string_view text, std::size_t& i);

}  // namespace sidr::text
