#include "sid/trie.h"

#include <algorithm>
#include <map>
#include <string>

#include "util/error.h"

namespace sidr::sid {

namespace {
// Pointer-based build tree; flattened afterwards.
struct BuildNode {
  std::map<TokenId, std::size_t> children;  // ordered: the flat slices come out sorted
  std::vector<std::int32_t> payloads;
};
}  // namespace

Trie Trie::build(const std::vector<std::vector<TokenId>>& sequences) {
  std::vector<std::int32_t> payloads(sequences.size());
  for (std::size_t i = 0; i < payloads.size(); ++i) payloads[i] = static_cast<std::int32_t>(i);
  return build(sequences, payloads);
}

Trie Trie::build(const std::vector<std::vector<TokenId>>& sequences, const std::vector<std::int32_t>& payloads) {
  if (payloads.size() != sequences.size())
    throw InputError("trie: " + std::to_string(sequences.size()) + " sequences but " +
                     std::to_string(payloads.size()) + " payloads");
  std::vector<BuildNode> nodes(1);
  int length = -2;  // -2: none seen yet
  for (std::size_t s = 0; s < sequences.size(); ++s) {
    const auto& seq = sequences[s];
    if (seq.empty()) throw InputError("trie: sequence " + std::to_string(s) + " is empty");
    std::size_t at = 0;
    for (TokenId token : seq) {
      auto found = nodes[at].children.find(token);
      if (found == nodes[at].children.end()) {
        nodes.emplace_back();
        found = nodes[at].children.emplace(token, nodes.size() - 1).first;
      }
      at = found->second;
    }
    nodes[at].payloads.push_back(payloads[s]);
    int len = static_cast<int>(seq.size());
    length = length == -2 ? len : (length == len ? len : -1);
  }

  // Breadth-first numbering so that siblings are contiguous and the root is 0.
  Trie trie;
  trie.sequence_count_ = sequences.size();
  trie.uniform_length_ = length < 0 ? -1 : length;
  std::vector<std::size_t> order{0};
  std::vector<NodeId> flat_id(nodes.size(), kNoNode);
  flat_id[0] = 0;
  for (std::size_t i = 0; i < order.size(); ++i) {
    for (const auto& [token, child] : nodes[order[i]].children) {
      flat_id[child] = static_cast<NodeId>(order.size());
      order.push_back(child);
    }
  }
  trie.child_begin_.reserve(order.size() + 1);
  trie.payload_begin_.reserve(order.size() + 1);
  for (std::size_t old : order) {
    trie.child_begin_.push_back(static_cast<std::uint32_t>(trie.child_tokens_.size()));
    trie.payload_begin_.push_back(static_cast<std::uint32_t>(trie.payload_values_.size()));
    for (const auto& [token, child] : nodes[old].children) {
      trie.child_tokens_.push_back(token);
      trie.child_nodes_.push_back(flat_id[child]);
    }
    for (auto p : nodes[old].payloads) trie.payload_values_.push_back(p);
  }
  trie.child_begin_.push_back(static_cast<std::uint32_t>(trie.child_tokens_.size()));
  trie.payload_begin_.push_back(static_cast<std::uint32_t>(trie.payload_values_.size()));
  return trie;
}

NodeId Trie::child(NodeId node, TokenId token) const {
  if (node < 0 || static_cast<std::size_t>(node) >= node_count()) return kNoNode;
  const TokenId* begin = tokens_begin(node);
  const TokenId* end = tokens_end(node);
  const TokenId* it = std::lower_bound(begin, end, token);
  if (it == end || *it != token) return kNoNode;
  return child_nodes_[child_begin_[node] + (it - begin)];
}

NodeId Trie::walk(const std::vector<TokenId>& prefix) const {
  NodeId at = root();
  for (TokenId token : prefix) {
    at = child(at, token);
    if (at == kNoNode) return kNoNode;
  }
  return at;
}

std::vector<std::int32_t> Trie::payloads(NodeId node) const {
  return {payload_values_.begin() + payload_begin_[node], payload_values_.begin() + payload_begin_[node + 1]};
}

}  // namespace sidr::sid
