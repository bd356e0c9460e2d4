#include "data/sid_string.h"

#include <algorithm>

namespace sidr::data {

static std::string quoted(std::string_view text) {
  constexpr std::size_t kMax = 40;
  std::string out = "'";
  std::size_t n = std::min(text.size(), kMax);
  while (n < text.size() && n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;  // whole chars
  out.append(text.substr(0, n));
  if (n < text.size()) out += "...";
  return out + "'";
}

std::string sid_token_error(std::string_view token, int level, int* code) {
  const char letter = static_cast<char>('a' + level);
  std::string expected = std::string("expected <") + letter + "_N> with N in 0..255";
  if (token.size() < 5 || token.front() != '<' || token.back() != '>' || token[2] != '_')
    return "bad SID token " + quoted(token) + ": " + expected;
  if (token[1] != letter) return "bad SID token " + quoted(token) + ": level letter must be '" + letter + "'";
  std::string_view digits = token.substr(3, token.size() - 4);
  if (digits.empty() || digits.size() > 3) return "bad SID token " + quoted(token) + ": " + expected;
  int value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return "bad SID token " + quoted(token) + ": N must be digits only";
    value = value * 10 + (c - '0');
  }
  if (digits.size() > 1 && digits[0] == '0') return "bad SID token " + quoted(token) + ": N has a leading zero";
  if (value >= kSidCodebookSize) return "bad SID token " + quoted(token) + ": N must be at most 255";
  if (code) *code = value;
  return {};
}

std::string sid_error(std::string_view sid, std::array<std::string, 3>* tokens) {
  std::size_t pos = 0;
  for (int level = 0; level < kSidLevels; ++level) {
    if (pos >= sid.size()) return "bad SID " + quoted(sid) + ": expected 3 tokens <a_N><b_N><c_N>";
    std::size_t close = sid.find('>', pos);
    if (sid[pos] != '<' || close == std::string_view::npos)
      return "bad SID " + quoted(sid) + ": expected 3 tokens <a_N><b_N><c_N>";
    std::string_view token = sid.substr(pos, close + 1 - pos);
    std::string error = sid_token_error(token, level);
    if (!error.empty()) return error + " in SID " + quoted(sid);
    if (tokens) (*tokens)[static_cast<std::size_t>(level)] = std::string(token);
    pos = close + 1;
  }
  if (pos != sid.size()) return "bad SID " + quoted(sid) + ": text after the third token";
  return {};
}

}  // namespace sidr::data
