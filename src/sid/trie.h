// Prefix trie over token sequences (the catalog's SIDs as token ids, plus the forced "\n" and end token),
// flattened into arrays so that "which tokens may follow this prefix" is one contiguous slice.
// Collided SIDs (one SID string naming several items) share one path; the leaf lists every payload.
#pragma once
#include <cstdint>
#include <vector>

#include "util/token_id.h"

namespace sidr::sid {

using sidr::TokenId;
using NodeId = std::int32_t;
inline constexpr NodeId kNoNode = -1;

class Trie {
 public:
  // Sequences with their payloads (e.g. the index of the distinct SID). Equal sequences merge into one
  // path whose leaf carries every payload in input order. An empty sequence is an InputError.
  static Trie build(const std::vector<std::vector<TokenId>>& sequences, const std::vector<std::int32_t>& payloads);
  // Payload i = i.
  static Trie build(const std::vector<std::vector<TokenId>>& sequences);

  NodeId root() const { return 0; }
  std::size_t node_count() const { return child_begin_.size() - 1; }
  std::size_t sequence_count() const { return sequence_count_; }

  // Allowed next tokens after `node`, ascending (a slice of one flat array).
  const TokenId* tokens_begin(NodeId node) const { return child_tokens_.data() + child_begin_[node]; }
  const TokenId* tokens_end(NodeId node) const { return child_tokens_.data() + child_begin_[node + 1]; }
  std::size_t child_count(NodeId node) const { return child_begin_[node + 1] - child_begin_[node]; }
  std::vector<TokenId> allowed(NodeId node) const { return {tokens_begin(node), tokens_end(node)}; }
  // The child reached by `token`, or kNoNode (binary search in the node's slice).
  NodeId child(NodeId node, TokenId token) const;
  // Follows a whole prefix from the root; kNoNode if it leaves the trie.
  NodeId walk(const std::vector<TokenId>& prefix) const;
  // A node where some sequence ends (it may still have children if one sequence prefixes another).
  bool is_terminal(NodeId node) const { return payload_begin_[node] != payload_begin_[node + 1]; }
  // Payloads of the sequences ending exactly at `node`.
  std::vector<std::int32_t> payloads(NodeId node) const;
  // Depth of every leaf if all sequences have one length, else -1.
  int uniform_length() const { return uniform_length_; }

 private:
  // Node n's children: child_tokens_/child_nodes_[child_begin_[n] .. child_begin_[n+1]).
  std::vector<std::uint32_t> child_begin_;
  std::vector<TokenId> child_tokens_;
  std::vector<NodeId> child_nodes_;
  // Node n's payloads: payload_values_[payload_begin_[n] .. payload_begin_[n+1]).
  std::vector<std::uint32_t> payload_begin_;
  std::vector<std::int32_t> payload_values_;
  std::size_t sequence_count_ = 0;
  int uniform_length_ = -1;
};

}  // namespace sidr::sid
