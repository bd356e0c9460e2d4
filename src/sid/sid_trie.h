// The reference's constraint trie over catalog SIDs: after the separator ("</think>\n\n"), a sequence is the
// SID's level tokens, then the id of "\n", then the end token (sidreasoner.md §6.1). Leaves carry the index of
// the SID string, so a finished beam maps back to its SID (and through the catalog to its items) without
// detokenising.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sid/trie.h"

namespace sidr::sid {

// "<a_12><b_200><c_7>" -> {"<a_12>", "<b_200>", "<c_7>"}; InputError if it is not a run of <...> tokens.
std::vector<std::string> split_sid_tokens(std::string_view sid);

// Maps a token string to its id (nullopt if the vocabulary lacks it).
using TokenLookup = std::function<std::optional<TokenId>(std::string_view)>;

struct SidTrie {
  std::vector<std::string> sids;  // payload i of the trie = sids[i] (distinct, in the given order)
  Trie trie;

  // Builds the trie of level tokens of every SID followed by `suffix` (e.g. {id("\n"), eos}).
  // InputError naming the SID if a level token is missing from the vocabulary or an SID repeats.
  static SidTrie build(const std::vector<std::string>& sids, const TokenLookup& lookup,
                       const std::vector<TokenId>& suffix);
  // The SID string of a complete generated sequence, or nullptr if it is not a whole path of the trie.
  const std::string* sid_of(const std::vector<TokenId>& generated) const;
};

}  // namespace sidr::sid
