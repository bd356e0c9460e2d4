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

std::string sid_token_error(std::string_view token, int level, int* code, int codebook_size) {
  const char letter = static_cast<char>('a' + level);
  // The common case (a good token) allocates nothing; messages are built only on failure.
  auto bad = [&](const std::string& why) { return "bad SID token " + quoted(token) + ": " + why; };
  auto expected = [&] {
    return std::string("expected <") + letter + "_N> with N in 0.." + std::to_string(codebook_size - 1);
  };
  if (token.size() < 5 || token.front() != '<' || token.back() != '>' || token[2] != '_') return bad(expected());
  if (token[1] != letter) return bad(std::string("level letter must be '") + letter + "'");
  std::string_view digits = token.substr(3, token.size() - 4);
  if (digits.empty() || digits.size() > 6) return bad(expected());
  int value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return bad("N must be digits only");
    value = value * 10 + (c - '0');
  }
  if (digits.size() > 1 && digits[0] == '0') return bad("N has a leading zero");
  if (value >= codebook_size) return bad("N must be at most " + std::to_string(codebook_size - 1));
  if (code) *code = value;
  return {};
}

std::string sid_error(std::string_view sid, std::vector<std::string>* tokens, const SidGrammar& grammar) {
  const int max_levels = grammar.levels > 0 ? grammar.levels : kMaxSidLevels;
  auto shape = [&] {
    return grammar.levels > 0 ? "expected " + std::to_string(grammar.levels) + " tokens <a_N><b_N>..."
                              : std::string("expected tokens <a_N><b_N>...");
  };
  if (tokens) tokens->clear();
  std::size_t pos = 0;
  int level = 0;
  for (; level < max_levels && pos < sid.size(); ++level) {
    std::size_t close = sid.find('>', pos);
    if (sid[pos] != '<' || close == std::string_view::npos) return "bad SID " + quoted(sid) + ": " + shape();
    std::string_view token = sid.substr(pos, close + 1 - pos);
    std::string error = sid_token_error(token, level, nullptr, grammar.codebook_size);
    if (!error.empty()) return error + " in SID " + quoted(sid);
    if (tokens) tokens->emplace_back(token);
    pos = close + 1;
  }
  if (level == 0 || (grammar.levels > 0 && level < grammar.levels)) return "bad SID " + quoted(sid) + ": " + shape();
  if (pos != sid.size()) return "bad SID " + quoted(sid) + ": text after the last level's token";
  return {};
}

std::string sid_token(int level, int code) {
  return std::string("<") + static_cast<char>('a' + level) + "_" + std::to_string(code) + ">";
}

}  // namespace sidr::data
