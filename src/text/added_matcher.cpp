#include "text/added_matcher.h"

#include "text/byte_level.h"

namespace sidr::text {
namespace {

// Rust's char::is_whitespace (the White_Space property).
bool is_whitespace(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

// Start of the code point that ends at byte `end` (exclusive) of text.
std::size_t previous_start(std::string_view text, std::size_t end) {
  std::size_t i = end - 1;
  while (i > 0 && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) --i;
  return i;
}

bool is_word_char(char32_t c) {
  // HF uses Rust's char::is_alphanumeric or '_'; ASCII is what the tokens we meet use, non-ASCII letters and
  // digits are approximated by "not whitespace and not ASCII punctuation".
  if (c < 0x80) return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  return !is_whitespace(c);
}

}  // namespace

int AddedMatcher::child(int node, unsigned char byte) const {
  auto it = edges_.find(static_cast<std::uint64_t>(node) << 8 | byte);
  return it == edges_.end() ? -1 : it->second;
}

void AddedMatcher::build(const std::vector<AddedToken>& tokens, const std::vector<std::string>& patterns) {
  tokens_ = tokens;
  edges_.clear();
  terminal_.assign(1, -1);
  first_byte_.fill(false);
  for (std::size_t t = 0; t < tokens.size(); ++t) {
    const std::string& p = patterns[t];
    if (p.empty()) continue;
    first_byte_[static_cast<unsigned char>(p[0])] = true;
    int node = 0;
    for (unsigned char b : p) {
      int next = child(node, b);
      if (next < 0) {
        next = static_cast<int>(terminal_.size());
        terminal_.push_back(-1);
        edges_.emplace(static_cast<std::uint64_t>(node) << 8 | b, next);
      }
      node = next;
    }
    if (terminal_[node] < 0) terminal_[node] = static_cast<int>(t);  // first token with this content wins
  }
}

void AddedMatcher::split(std::string_view text, std::vector<Segment>& out) const {
  std::size_t start_offset = 0;
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    if (!first_byte_[static_cast<unsigned char>(text[i])]) {
      ++i;
      continue;
    }
    // Longest token starting at i.
    int node = 0, best = -1;
    std::size_t best_end = 0;
    for (std::size_t j = i; j < n; ++j) {
      node = child(node, static_cast<unsigned char>(text[j]));
      if (node < 0) break;
      if (terminal_[node] >= 0) best = terminal_[node], best_end = j + 1;
    }
    if (best < 0) {
      ++i;
      continue;
    }
    const AddedToken& token = tokens_[best];
    std::size_t start = i, stop = best_end;
    i = best_end;  // matches do not overlap, even when one is rejected below
    if (token.single_word) {
      bool start_space = start == 0 || !is_word_char([&] {
        std::size_t k = previous_start(text, start);
        return next_code_point(text, k);
      }());
      bool stop_space = stop == n || !is_word_char([&] {
        std::size_t k = stop;
        return next_code_point(text, k);
      }());
      if (!start_space || !stop_space) continue;
    }
    if (token.lstrip) {
      std::size_t s = start;
      while (s > 0) {
        std::size_t k = previous_start(text, s), kk = k;
        if (!is_whitespace(next_code_point(text, kk))) break;
        s = k;
      }
      start = std::max(s, start_offset);
    }
    if (token.rstrip) {
      while (stop < n) {
        std::size_t k = stop;
        if (!is_whitespace(next_code_point(text, k))) break;
        stop = k;
      }
    }
    if (start_offset < start) out.push_back({start_offset, start, -1});
    out.push_back({start, stop, best});
    start_offset = stop;
  }
  if (start_offset < n) out.push_back({start_offset, n, -1});
}

}  // namespace sidr::text
