#include "text/bpe_trainer.h"

#include <algorithm>
#include <queue>
#include <unordered_set>

#include "text/byte_level.h"
#include "text/normalizer.h"
#include "text/pre_tokenizer.h"
#include "util/error.h"
#include "util/file_io.h"
#include "util/json.h"
#include "util/utf8.h"

namespace sidr::text {
namespace {

std::uint64_t key(int a, int b) { return static_cast<std::uint64_t>(a) << 32 | static_cast<std::uint32_t>(b); }

const RegexSplitter& splitter() {
  static const RegexSplitter s(kQwen2Pattern, SplitBehavior::kIsolated);
  return s;
}

}  // namespace

BpeTrainer::BpeTrainer(BpeTrainerOptions options) : options_(std::move(options)) {}

void BpeTrainer::feed(std::string_view text) {
  std::size_t bad = first_invalid_utf8(text);
  if (bad != std::string_view::npos) throw InputError("invalid UTF-8 at byte " + std::to_string(bad));
  // Cut the text at every added token, then pre-tokenize the NFC of each remaining piece.
  std::vector<std::string_view> parts{text};
  for (const auto* list : {&options_.special_tokens, &options_.normal_tokens}) {
    for (const auto& token : *list) {
      std::vector<std::string_view> next;
      for (auto part : parts) {
        std::size_t pos;
        while ((pos = part.find(token)) != std::string_view::npos) {
          next.push_back(part.substr(0, pos));
          part.remove_prefix(pos + token.size());
        }
        next.push_back(part);
      }
      parts = std::move(next);
    }
  }
  std::vector<std::pair<std::size_t, std::size_t>> pieces;
  for (auto part : parts) {
    if (part.empty()) continue;
    std::string normalized = nfc(part);
    pieces.clear();
    splitter().split(normalized, pieces);
    for (auto [b, e] : pieces) {
      std::string word = normalized.substr(b, e - b);
      auto [it, inserted] = word_index_.emplace(word, counts_.size());
      if (inserted) counts_.emplace_back(std::move(word), 0);
      ++counts_[it->second].second;
    }
  }
}

void BpeTrainer::feed_file(const std::filesystem::path& path) {
  std::string text = read_file(path);
  std::size_t pos = 0, line = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    end = end == std::string::npos ? text.size() : end + 1;
    ++line;
    try {
      feed(std::string_view(text).substr(pos, end - pos));
    } catch (const InputError& e) {
      throw_input_error(Location{path.string(), line, 0, ""}, e.what());
    }
    pos = end;
  }
}

Tokenizer BpeTrainer::train() const {
  const std::size_t n_added = options_.special_tokens.size() + options_.normal_tokens.size();
  if (options_.vocab_size < 256 + n_added)
    throw InputError("vocab size " + std::to_string(options_.vocab_size) + " is below the 256 byte tokens plus " +
                     std::to_string(n_added) + " added tokens");
  const std::size_t target_bpe = options_.vocab_size - n_added;

  // Tokens: the 256 bytes in GPT-2 order, then one per merge.
  std::vector<std::string> tokens;  // raw bytes of each token
  std::unordered_map<std::string, int> token_id;
  int byte_id[256];
  for (int i = 0; i < 256; ++i) {
    unsigned char b = byte_order()[i];
    tokens.emplace_back(1, static_cast<char>(b));
    token_id[tokens.back()] = i;
    byte_id[b] = i;
  }
  // Words as symbol sequences, sorted by their bytes so that everything below is independent of feed order.
  std::vector<std::size_t> order(counts_.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](auto a, auto b) { return counts_[a].first < counts_[b].first; });
  std::vector<std::vector<int>> words;
  std::vector<std::int64_t> freq;
  for (auto i : order) {
    std::vector<int> syms;
    for (unsigned char c : counts_[i].first) syms.push_back(byte_id[c]);
    words.push_back(std::move(syms));
    freq.push_back(counts_[i].second);
  }
  std::unordered_map<std::uint64_t, std::int64_t> pair_count;
  std::unordered_map<std::uint64_t, std::unordered_set<int>> pair_words;
  for (int w = 0; w < static_cast<int>(words.size()); ++w)
    for (std::size_t i = 0; i + 1 < words[w].size(); ++i) {
      pair_count[key(words[w][i], words[w][i + 1])] += freq[w];
      pair_words[key(words[w][i], words[w][i + 1])].insert(w);
    }
  // Max-heap on (count, then the smaller pair of token strings); stale entries are re-checked when popped.
  struct Entry {
    std::int64_t count;
    int a, b;
  };
  auto worse = [&](const Entry& x, const Entry& y) {
    if (x.count != y.count) return x.count < y.count;
    if (tokens[x.a] != tokens[y.a]) return tokens[x.a] > tokens[y.a];
    return tokens[x.b] > tokens[y.b];
  };
  std::priority_queue<Entry, std::vector<Entry>, decltype(worse)> heap(worse);
  for (const auto& [k, c] : pair_count) heap.push({c, static_cast<int>(k >> 32), static_cast<int>(k & 0xFFFFFFFF)});

  std::vector<std::pair<int, int>> merges;
  while (tokens.size() < target_bpe && !heap.empty()) {
    Entry top = heap.top();
    heap.pop();
    auto it = pair_count.find(key(top.a, top.b));
    std::int64_t current = it == pair_count.end() ? 0 : it->second;
    if (current != top.count) {
      if (current > 0) heap.push({current, top.a, top.b});
      continue;
    }
    if (current < options_.min_frequency || current <= 0) break;
    std::string merged = tokens[top.a] + tokens[top.b];
    int x;
    auto existing = token_id.find(merged);
    if (existing != token_id.end()) {
      x = existing->second;
    } else {
      x = static_cast<int>(tokens.size());
      tokens.push_back(merged);
      token_id[merged] = x;
    }
    merges.emplace_back(top.a, top.b);
    std::vector<int> affected(pair_words[key(top.a, top.b)].begin(), pair_words[key(top.a, top.b)].end());
    std::sort(affected.begin(), affected.end());
    std::unordered_map<std::uint64_t, std::int64_t> delta;
    for (int w : affected) {
      auto& syms = words[w];
      std::vector<int> next;
      next.reserve(syms.size());
      for (std::size_t i = 0; i < syms.size(); ++i) {
        if (i + 1 < syms.size() && syms[i] == top.a && syms[i + 1] == top.b) {
          next.push_back(x);
          ++i;
        } else {
          next.push_back(syms[i]);
        }
      }
      for (std::size_t i = 0; i + 1 < syms.size(); ++i) delta[key(syms[i], syms[i + 1])] -= freq[w];
      for (std::size_t i = 0; i + 1 < next.size(); ++i) {
        delta[key(next[i], next[i + 1])] += freq[w];
        pair_words[key(next[i], next[i + 1])].insert(w);
      }
      syms = std::move(next);
    }
    pair_count.erase(key(top.a, top.b));
    pair_words.erase(key(top.a, top.b));
    for (const auto& [k, d] : delta) {
      if (k == key(top.a, top.b)) continue;
      std::int64_t& c = pair_count[k];
      c += d;
      if (d > 0) heap.push({c, static_cast<int>(k >> 32), static_cast<int>(k & 0xFFFFFFFF)});
    }
  }

  // The tokenizer.json document, Qwen3's layout.
  Json doc;
  doc["version"] = "1.0";
  doc["truncation"] = nullptr;
  doc["padding"] = nullptr;
  Json added = Json::array();
  int next_id = static_cast<int>(tokens.size());
  for (const auto* list : {&options_.special_tokens, &options_.normal_tokens})
    for (const auto& t : *list)
      added.push_back({{"id", next_id++}, {"content", t}, {"single_word", false}, {"lstrip", false},
                       {"rstrip", false}, {"normalized", false}, {"special", list == &options_.special_tokens}});
  doc["added_tokens"] = std::move(added);
  doc["normalizer"] = {{"type", "NFC"}};
  Json byte_level = {
      {"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", false}, {"use_regex", false}};
  doc["pre_tokenizer"] = {{"type", "Sequence"},
                          {"pretokenizers", Json::array({{{"type", "Split"},
                                                                 {"pattern", {{"Regex", kQwen2Pattern}}},
                                                                 {"behavior", "Isolated"},
                                                                 {"invert", false}},
                                                                byte_level})}};
  doc["post_processor"] = byte_level;
  doc["decoder"] = byte_level;
  Json model = {{"type", "BPE"}, {"dropout", nullptr}, {"unk_token", nullptr},
                       {"continuing_subword_prefix", ""}, {"end_of_word_suffix", ""}, {"fuse_unk", false},
                       {"byte_fallback", false}, {"ignore_merges", false}};
  Json vocab = Json::object();
  for (std::size_t i = 0; i < tokens.size(); ++i) vocab[bytes_to_byte_level(tokens[i])] = i;
  model["vocab"] = std::move(vocab);
  Json merge_json = Json::array();
  for (auto [a, b] : merges) merge_json.push_back({bytes_to_byte_level(tokens[a]), bytes_to_byte_level(tokens[b])});
  model["merges"] = std::move(merge_json);
  doc["model"] = std::move(model);
  return Tokenizer::from_json(doc, "trained tokenizer");
}

}  // namespace sidr::text
