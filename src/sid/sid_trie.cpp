#include "sid/sid_trie.h"

#include <unordered_set>

#include "util/error.h"

namespace sidr::sid {

std::vector<std::string> split_sid_tokens(std::string_view sid) {
  std::vector<std::string> tokens;
  std::size_t at = 0;
  while (at < sid.size()) {
    std::size_t close = sid.find('>', at);
    if (sid[at] != '<' || close == std::string_view::npos || close == at + 1)
      throw InputError("SID '" + std::string(sid) + "' is not a run of <...> tokens");
    tokens.emplace_back(sid.substr(at, close - at + 1));
    at = close + 1;
  }
  if (tokens.empty()) throw InputError("empty SID");
  return tokens;
}

SidTrie SidTrie::build(const std::vector<std::string>& sids, const TokenLookup& lookup,
                       const std::vector<TokenId>& suffix) {
  SidTrie out;
  out.sids = sids;
  std::unordered_set<std::string> seen;
  std::vector<std::vector<TokenId>> sequences;
  sequences.reserve(sids.size());
  for (const auto& sid : sids) {
    if (!seen.insert(sid).second) throw InputError("SID " + sid + " is listed twice for the trie");
    std::vector<TokenId> seq;
    for (const auto& token : split_sid_tokens(sid)) {
      auto id = lookup(token);
      if (!id) throw InputError("SID " + sid + ": token " + token + " is not in the tokenizer's vocabulary");
      seq.push_back(*id);
    }
    seq.insert(seq.end(), suffix.begin(), suffix.end());
    sequences.push_back(std::move(seq));
  }
  out.trie = Trie::build(sequences);
  return out;
}

const std::string* SidTrie::sid_of(const std::vector<TokenId>& generated) const {
  NodeId node = trie.walk(generated);
  if (node == kNoNode || !trie.is_terminal(node)) return nullptr;
  return &sids[trie.payloads(node).front()];
}

}  // namespace sidr::sid
