// The SID string grammar of index.json and the CSVs: a level token is `<x_N>` with x the level's letter
// (a, b, c, ... for levels 0, 1, 2, ...) and N a decimal code (digits only, no sign, no leading zero); a SID is
// its levels' tokens concatenated in order, e.g. "<a_12><b_200><c_7>". How many levels and codes a dataset
// has is read from its index.json (data/sid_index.h), not fixed here.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace sidr::data {

struct SidGrammar {
  int levels = 0;         // tokens per SID; 0: any number from 1 to kMaxSidLevels
  int codebook_size = 0;  // codes per level are 0..codebook_size-1
};

constexpr int kMaxSidLevels = 26;       // one letter a..z per level
constexpr int kMaxSidCode = 999999;     // N has at most 6 digits
// Before index.json is read (CSV and info rows): any level count, any code; `data check` then compares each
// SID with index.json's.
constexpr SidGrammar kAnySidGrammar{0, kMaxSidCode + 1};
// The reference's RQ-VAE (3 levels x 256 codes): the defaults below, for tests speaking of the reference's SIDs.
// Code that reads data passes the grammar its index.json fixes (Catalog::grammar), or kAnySidGrammar before.
constexpr SidGrammar kReferenceSidGrammar{3, 256};

// Empty if `token` is a well-formed token of `level` (0 = a, 1 = b, ...) with N < codebook_size; otherwise
// what is wrong. `code` (if given) receives N.
std::string sid_token_error(std::string_view token, int level, int* code = nullptr,
                            int codebook_size = kReferenceSidGrammar.codebook_size);

// Empty if `sid` is a well-formed SID of `grammar`; otherwise what is wrong. `tokens` (if given) receives them.
std::string sid_error(std::string_view sid, std::vector<std::string>* tokens = nullptr,
                      const SidGrammar& grammar = kReferenceSidGrammar);

// "<a_12>" for level 0, code 12.
std::string sid_token(int level, int code);

}  // namespace sidr::data
