// The SID string grammar of index.json and the CSVs: a level token is `<a_N>`, `<b_N>` or `<c_N>` with N a
// decimal number 0..255 (digits only, no sign, no leading zero); a SID is exactly the three tokens of
// levels a, b, c concatenated, e.g. "<a_12><b_200><c_7>".
#pragma once
#include <array>
#include <string>
#include <string_view>

namespace sidr::data {

constexpr int kSidLevels = 3;
constexpr int kSidCodebookSize = 256;

// Empty if `token` is a well-formed token of `level` (0 = a, 1 = b, 2 = c); otherwise what is wrong.
// `code` (if given) receives N.
std::string sid_token_error(std::string_view token, int level, int* code = nullptr);

// Empty if `sid` is a well-formed SID; otherwise what is wrong. `tokens` (if given) receives the three tokens.
std::string sid_error(std::string_view sid, std::array<std::string, 3>* tokens = nullptr);

}  // namespace sidr::data
