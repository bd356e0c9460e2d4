// The one token-id type: the tokenizer, the SID trie and the decoders all speak it (ids fit in int32 for any
// vocabulary a Qwen3-style model has, and int32 is what the trie's flat arrays and the decode tensors hold).
#pragma once
#include <cstdint>

namespace sidr {
using TokenId = std::int32_t;
}  // namespace sidr
