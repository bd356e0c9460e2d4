// Tokenizer: loading (tokenizer.json, vocab.json + merges.txt), encoding, decoding and adding tokens.
// Encoding follows Hugging Face's order: split out non-normalized added tokens on the raw text, NFC each remaining
// piece, split out normalized added tokens, pre-tokenize with the Split regex, map bytes to the byte-level alphabet
// and apply BPE merges by rank.
#include "text/tokenizer.h"

#include <algorithm>
#include <mutex>
#include <queue>
#include <set>
#include <unordered_map>

#include <fmt/format.h>

#include "text/added_matcher.h"
#include "text/byte_level.h"
#include "text/chat_template.h"
#include "text/normalizer.h"
#include "text/pre_tokenizer.h"
#include "util/error.h"
#include "util/file_io.h"
#include "util/json.h"
#include "util/utf8.h"

namespace sidr::text {

struct Tokenizer::Impl {
  std::string source;  // file name for errors
  // Base BPE vocabulary.
  std::vector<std::string> id_to_token;  // byte-level strings; holes are empty
  std::unordered_map<std::string, TokenId> token_to_id;
  std::array<TokenId, 256> byte_ids{};
  struct Merge {
    int rank;
    TokenId id;
  };
  std::unordered_map<std::uint64_t, Merge> merges;  // (left << 32 | right) -> rank, merged id
  std::vector<std::pair<TokenId, TokenId>> merge_list;  // in rank order, for saving
  bool ignore_merges = false;
  // Added tokens.
  std::vector<AddedToken> added;
  std::unordered_map<std::string, std::size_t> added_by_content;
  std::unordered_map<TokenId, std::size_t> added_by_id;
  AddedMatcher raw_matcher, normalized_matcher;  // non-normalized tokens / normalized tokens
  std::vector<int> raw_index, normalized_index;   // matcher token index -> index into `added`
  // Pipeline.
  bool nfc = false;
  std::unique_ptr<RegexSplitter> splitter;  // null: each normalized piece is one pre-token
  // Sections written back unchanged by save().
  Json normalizer_json, pre_tokenizer_json, post_processor_json, decoder_json, model_header;
  OrderedJson config;  // tokenizer_config.json found next to the loaded file (null if none)
  // Pre-token -> ids; a pre-token's ids do not depend on its context.
  mutable std::mutex cache_mutex;
  mutable std::unordered_map<std::string, std::vector<TokenId>> cache;
  static constexpr std::size_t kCacheLimit = 1 << 20;
  static constexpr std::size_t kCacheMaxWord = 256;

  void rebuild_added();
  void bpe(std::string_view word, std::vector<TokenId>& out) const;
  void encode_word(std::string_view word, std::vector<TokenId>& out) const;
  void encode_normalized(std::string_view text, std::vector<TokenId>& out,
                         std::vector<std::pair<std::size_t, std::size_t>>& pieces) const;
  TokenId max_id() const;
};

namespace {

std::uint64_t pair_key(TokenId a, TokenId b) {
  return static_cast<std::uint64_t>(static_cast<std::uint32_t>(a)) << 32 | static_cast<std::uint32_t>(b);
}

[[noreturn]] void fail(const std::string& source, const std::string& field, const std::string& message) {
  throw_input_error(Location{source, 0, 0, field}, message);
}

Json default_pre_tokenizer() {
  Json split = {{"type", "Split"},
                       {"pattern", {{"Regex", kQwen2Pattern}}},
                       {"behavior", "Isolated"},
                       {"invert", false}};
  Json byte_level = {
      {"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", false}, {"use_regex", false}};
  return {{"type", "Sequence"}, {"pretokenizers", Json::array({split, byte_level})}};
}

Json byte_level_section() {
  return {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", false}, {"use_regex", false}};
}

// Reads the normalizer: null, NFC, or a Sequence of those.
void configure_normalizer(Tokenizer::Impl& t, const Json& j);

}  // namespace

void Tokenizer::Impl::rebuild_added() {
  added_by_content.clear();
  added_by_id.clear();
  std::vector<AddedToken> raw_tokens, norm_tokens;
  std::vector<std::string> raw_patterns, norm_patterns;
  raw_index.clear();
  normalized_index.clear();
  for (std::size_t i = 0; i < added.size(); ++i) {
    const AddedToken& a = added[i];
    added_by_content.emplace(a.content, i);
    added_by_id[a.id] = i;
    if (a.normalized) {
      norm_tokens.push_back(a);
      norm_patterns.push_back(nfc ? text::nfc(a.content) : a.content);
      normalized_index.push_back(static_cast<int>(i));
    } else {
      raw_tokens.push_back(a);
      raw_patterns.push_back(a.content);
      raw_index.push_back(static_cast<int>(i));
    }
  }
  raw_matcher.build(raw_tokens, raw_patterns);
  normalized_matcher.build(norm_tokens, norm_patterns);
}

TokenId Tokenizer::Impl::max_id() const {
  TokenId m = static_cast<TokenId>(id_to_token.size()) - 1;
  for (const auto& a : added) m = std::max(m, a.id);
  return m;
}

// BPE over the bytes of one pre-token, merging the lowest-ranked pair first (leftmost on ties), as HF's
// word.merge_all does.
void Tokenizer::Impl::bpe(std::string_view word, std::vector<TokenId>& out) const {
  struct Symbol {
    TokenId id;
    int prev, next;
    bool alive;
  };
  std::vector<Symbol> sym(word.size());
  for (std::size_t i = 0; i < word.size(); ++i) {
    TokenId id = byte_ids[static_cast<unsigned char>(word[i])];
    if (id < 0)
      throw Error(source + ": byte " + std::to_string(static_cast<unsigned char>(word[i])) +
                  " has no token in the vocabulary");
    sym[i] = {id, static_cast<int>(i) - 1, i + 1 < word.size() ? static_cast<int>(i) + 1 : -1, true};
  }
  if (ignore_merges) {
    auto it = token_to_id.find(bytes_to_byte_level(word));
    if (it != token_to_id.end()) {
      out.push_back(it->second);
      return;
    }
  }
  struct Candidate {
    int rank, pos;
    TokenId id;
    bool operator>(const Candidate& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
  };
  std::priority_queue<Candidate, std::vector<Candidate>, std::greater<Candidate>> queue;
  auto push = [&](int left) {
    if (left < 0 || sym[left].next < 0) return;
    auto it = merges.find(pair_key(sym[left].id, sym[sym[left].next].id));
    if (it != merges.end()) queue.push({it->second.rank, left, it->second.id});
  };
  for (int i = 0; i + 1 < static_cast<int>(sym.size()); ++i) push(i);
  while (!queue.empty()) {
    Candidate top = queue.top();
    queue.pop();
    Symbol& left = sym[top.pos];
    if (!left.alive || left.next < 0) continue;
    auto it = merges.find(pair_key(left.id, sym[left.next].id));
    if (it == merges.end() || it->second.id != top.id) continue;  // stale candidate
    Symbol& right = sym[left.next];
    left.id = top.id;
    right.alive = false;
    left.next = right.next;
    if (right.next >= 0) sym[right.next].prev = top.pos;
    push(left.prev);
    push(top.pos);
  }
  for (int i = 0; i >= 0 && i < static_cast<int>(sym.size()); i = sym[i].next) out.push_back(sym[i].id);
}

void Tokenizer::Impl::encode_word(std::string_view word, std::vector<TokenId>& out) const {
  if (word.size() > kCacheMaxWord) {
    bpe(word, out);
    return;
  }
  std::string key(word);
  {
    std::lock_guard<std::mutex> lock(cache_mutex);
    auto it = cache.find(key);
    if (it != cache.end()) {
      out.insert(out.end(), it->second.begin(), it->second.end());
      return;
    }
  }
  std::vector<TokenId> ids;
  bpe(word, ids);
  out.insert(out.end(), ids.begin(), ids.end());
  std::lock_guard<std::mutex> lock(cache_mutex);
  if (cache.size() >= kCacheLimit) cache.clear();
  cache.emplace(std::move(key), std::move(ids));
}

void Tokenizer::Impl::encode_normalized(std::string_view text, std::vector<TokenId>& out,
                                        std::vector<std::pair<std::size_t, std::size_t>>& pieces) const {
  pieces.clear();
  if (splitter) {
    splitter->split(text, pieces);
  } else {
    pieces.emplace_back(0, text.size());
  }
  for (auto [b, e] : pieces) encode_word(text.substr(b, e - b), out);
}

Tokenizer::Tokenizer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Tokenizer::Tokenizer(Tokenizer&&) noexcept = default;
Tokenizer& Tokenizer::operator=(Tokenizer&&) noexcept = default;
Tokenizer::~Tokenizer() = default;

namespace {

void configure_normalizer(Tokenizer::Impl& t, const Json& j) {
  if (j.is_null()) return;
  std::string type = j.value("type", "");
  if (type == "NFC") {
    t.nfc = true;
  } else if (type == "Sequence" && j.contains("normalizers")) {
    for (const auto& n : j["normalizers"]) configure_normalizer(t, n);
  } else {
    fail(t.source, "normalizer", "unsupported normalizer type '" + type + "' (supported: NFC, Sequence of NFC)");
  }
}

void configure_split(Tokenizer::Impl& t, const Json& j) {
  const auto& pattern = j.at("pattern");
  std::string regex;
  if (pattern.contains("Regex")) {
    regex = pattern["Regex"].get<std::string>();
  } else if (pattern.contains("String")) {
    regex = regex_escape(pattern["String"].get<std::string>());
  } else {
    fail(t.source, "pre_tokenizer.pattern", "expected a \"Regex\" or \"String\" pattern");
  }
  std::string behavior = j.value("behavior", "Isolated");
  SplitBehavior b;
  if (behavior == "Isolated") b = SplitBehavior::kIsolated;
  else if (behavior == "Removed") b = SplitBehavior::kRemoved;
  else fail(t.source, "pre_tokenizer.behavior", "unsupported Split behavior '" + behavior + "'");
  if (j.value("invert", false)) fail(t.source, "pre_tokenizer.invert", "inverted Split is not supported");
  if (t.splitter) fail(t.source, "pre_tokenizer", "more than one regex split is not supported");
  t.splitter = std::make_unique<RegexSplitter>(regex, b);
}

void configure_pre_tokenizer(Tokenizer::Impl& t, const Json& j) {
  std::string type = j.value("type", "");
  if (type == "Sequence") {
    for (const auto& p : j.at("pretokenizers")) configure_pre_tokenizer(t, p);
  } else if (type == "Split") {
    configure_split(t, j);
  } else if (type == "ByteLevel") {
    if (j.value("add_prefix_space", false))
      fail(t.source, "pre_tokenizer.add_prefix_space", "add_prefix_space=true is not supported");
    if (j.value("use_regex", true)) {
      if (t.splitter) fail(t.source, "pre_tokenizer", "more than one regex split is not supported");
      t.splitter = std::make_unique<RegexSplitter>(kGpt2Pattern, SplitBehavior::kIsolated);
    }
  } else {
    fail(t.source, "pre_tokenizer", "unsupported pre-tokenizer type '" + type + "' (byte-level BPE only)");
  }
}

// Fills the base vocabulary and merges; merges are "a b" strings or ["a", "b"] pairs.
void load_model(Tokenizer::Impl& t, const Json& vocab, const Json& merges) {
  if (!vocab.is_object()) fail(t.source, "model.vocab", "expected an object of token -> id");
  t.token_to_id.reserve(vocab.size() * 2);
  for (auto it = vocab.begin(); it != vocab.end(); ++it) {
    if (!it.value().is_number_integer()) fail(t.source, "model.vocab." + it.key(), "id is not an integer");
    auto id = it.value().get<std::int64_t>();
    if (id < 0 || id >= (1 << 24)) fail(t.source, "model.vocab." + it.key(), "id out of range (0..16M)");
    if (static_cast<std::size_t>(id) >= t.id_to_token.size()) t.id_to_token.resize(id + 1);
    t.id_to_token[id] = it.key();
    t.token_to_id[it.key()] = static_cast<TokenId>(id);
  }
  t.byte_ids.fill(-1);
  const auto& map = byte_to_unicode();
  for (int b = 0; b < 256; ++b) {
    auto it = t.token_to_id.find(map[b]);
    if (it != t.token_to_id.end()) t.byte_ids[b] = it->second;
  }
  // Byte-level BPE needs a token for every byte (HF would fail, or emit <unk>, on the first text holding it).
  for (int b = 0; b < 256; ++b)
    if (t.byte_ids[b] < 0)
      fail(t.source, "model.vocab",
           fmt::format("byte 0x{:02X} has no token (its byte-level token \"{}\" is missing)", b, map[b]));
  if (!merges.is_array()) fail(t.source, "model.merges", "expected an array");
  t.merges.reserve(merges.size() * 2);
  t.merge_list.reserve(merges.size());
  int rank = 0;
  for (const auto& m : merges) {
    std::string a, b;
    if (m.is_string()) {
      const auto& s = m.get_ref<const std::string&>();
      auto space = s.find(' ');
      if (space == std::string::npos || s.find(' ', space + 1) != std::string::npos)
        fail(t.source, "model.merges[" + std::to_string(rank) + "]", "expected \"left right\"");
      a = s.substr(0, space);
      b = s.substr(space + 1);
    } else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string()) {
      a = m[0].get<std::string>();
      b = m[1].get<std::string>();
    } else {
      fail(t.source, "model.merges[" + std::to_string(rank) + "]", "expected \"left right\" or [left, right]");
    }
    auto ia = t.token_to_id.find(a), ib = t.token_to_id.find(b), iab = t.token_to_id.find(a + b);
    if (ia == t.token_to_id.end() || ib == t.token_to_id.end() || iab == t.token_to_id.end())
      fail(t.source, "model.merges[" + std::to_string(rank) + "]", "merge of tokens not in the vocabulary");
    // A repeated pair keeps its first (lowest) rank, like HF.
    if (t.merges.emplace(pair_key(ia->second, ib->second), Tokenizer::Impl::Merge{rank, iab->second}).second)
      t.merge_list.emplace_back(ia->second, ib->second);
    ++rank;
  }
}

AddedToken parse_added_token(const std::string& source, const Json& j, std::size_t index) {
  std::string field = "added_tokens[" + std::to_string(index) + "]";
  if (!j.is_object() || !j.contains("id") || !j.contains("content") || !j["content"].is_string() ||
      !j["id"].is_number_integer())
    fail(source, field, "expected an object with integer \"id\" and string \"content\"");
  AddedToken a;
  a.id = j["id"].get<TokenId>();
  a.content = j["content"].get<std::string>();
  a.special = j.value("special", false);
  a.single_word = j.value("single_word", false);
  a.lstrip = j.value("lstrip", false);
  a.rstrip = j.value("rstrip", false);
  a.normalized = j.value("normalized", !a.special);
  if (a.id < 0 || a.id >= (1 << 24)) fail(source, field, "id out of range (0..16M)");
  return a;
}

// HF does not take the ids in "added_tokens" as given: it re-adds the tokens in file order (AddedVocabulary::
// add_tokens), so a token that is in the base vocabulary (or listed before) keeps that id, and a new one gets the
// next id after the base vocabulary and the added tokens so far. Qwen3's files and ours come out unchanged.
void register_added_tokens(Tokenizer::Impl& t, const std::vector<AddedToken>& listed) {
  const auto base_size = static_cast<TokenId>(t.token_to_id.size());
  std::unordered_map<std::string, std::size_t> by_content;
  TokenId max_added = -1;
  for (std::size_t index = 0; index < listed.size(); ++index) {
    const AddedToken& token = listed[index];
    if (token.content.empty()) continue;
    auto same = by_content.find(token.content);
    if (same != by_content.end()) {
      AddedToken& old = t.added[same->second];
      if (old.special == token.special && old.single_word == token.single_word && old.lstrip == token.lstrip &&
          old.rstrip == token.rstrip && old.normalized == token.normalized)
        continue;
      TokenId id = old.id;
      old = token;  // same content, new flags: HF replaces the entry, keeping the id
      old.id = id;
      continue;
    }
    AddedToken a = token;
    auto in_vocab = t.token_to_id.find(token.content);
    if (in_vocab != t.token_to_id.end()) a.id = in_vocab->second;
    else a.id = max_added >= base_size || base_size == 0 ? max_added + 1 : base_size;
    // The listed id is what the model's embedding rows were trained with: a token missing before this one (or
    // listed out of order) would shift it and every later one, so refuse instead of loading different ids.
    if (a.id != token.id)
      fail(t.source, "added_tokens[" + std::to_string(index) + "]",
           fmt::format("token \"{}\" is listed with id {} but would get id {} (a token before it is missing or "
                       "out of order)",
                       token.content, token.id, a.id));
    max_added = std::max(max_added, a.id);
    by_content.emplace(a.content, t.added.size());
    t.added.push_back(a);
  }
}

}  // namespace

Tokenizer Tokenizer::from_json_text(std::string_view json_text, const std::string& source) {
  return from_json(parse_json(json_text, source), source);
}

Tokenizer Tokenizer::from_json(const Json& j, const std::string& source) {
  auto impl = std::make_unique<Impl>();
  Impl& t = *impl;
  t.source = source;
  try {
    if (!j.is_object() || !j.contains("model")) fail(source, "model", "missing (not a tokenizer.json?)");
    const auto& model = j["model"];
    if (model.value("type", "BPE") != "BPE") fail(source, "model.type", "only BPE models are supported");
    if (!model.value("continuing_subword_prefix", Json("")).is_null() &&
        !model.value("continuing_subword_prefix", std::string()).empty())
      fail(source, "model.continuing_subword_prefix", "must be empty for byte-level BPE");
    if (!model.value("end_of_word_suffix", Json("")).is_null() &&
        !model.value("end_of_word_suffix", std::string()).empty())
      fail(source, "model.end_of_word_suffix", "must be empty for byte-level BPE");
    if (model.value("byte_fallback", false)) fail(source, "model.byte_fallback", "not supported");
    if (model.contains("dropout") && !model["dropout"].is_null() && model["dropout"].get<double>() != 0.0)
      fail(source, "model.dropout", "BPE dropout is not supported");
    t.ignore_merges = model.value("ignore_merges", false);
    load_model(t, model.at("vocab"), model.at("merges"));
    for (auto it = model.begin(); it != model.end(); ++it)
      if (it.key() != "vocab" && it.key() != "merges") t.model_header[it.key()] = it.value();
    t.normalizer_json = j.value("normalizer", Json());
    configure_normalizer(t, t.normalizer_json);
    t.pre_tokenizer_json = j.value("pre_tokenizer", Json());
    if (t.pre_tokenizer_json.is_null()) fail(source, "pre_tokenizer", "missing (byte-level BPE needs ByteLevel)");
    configure_pre_tokenizer(t, t.pre_tokenizer_json);
    t.post_processor_json = j.value("post_processor", Json());
    t.decoder_json = j.value("decoder", Json());
    if (!t.decoder_json.is_null() && t.decoder_json.value("type", "") != "ByteLevel")
      fail(source, "decoder", "only the ByteLevel decoder is supported");
    if (j.contains("added_tokens") && j["added_tokens"].is_array()) {
      std::vector<AddedToken> listed;
      std::size_t i = 0;
      for (const auto& a : j["added_tokens"]) listed.push_back(parse_added_token(source, a, i++));
      register_added_tokens(t, listed);
    }
  } catch (const nlohmann::json::exception& e) {
    throw InputError(source + ": unexpected tokenizer.json structure: " + e.what());
  }
  t.rebuild_added();
  return Tokenizer(std::move(impl));
}

Tokenizer Tokenizer::from_file(const std::filesystem::path& tokenizer_json) {
  Tokenizer t = from_json_text(read_file(tokenizer_json), tokenizer_json.string());
  auto config = tokenizer_json.parent_path() / "tokenizer_config.json";
  if (std::filesystem::exists(config)) t.impl_->config = read_ordered_json_file(config);
  return t;
}

Tokenizer Tokenizer::from_vocab_merges(const std::filesystem::path& vocab_json,
                                       const std::filesystem::path& merges_txt) {
  return from_vocab_merges(vocab_json, merges_txt, {});
}

Tokenizer Tokenizer::from_vocab_merges(const std::filesystem::path& vocab_json, const std::filesystem::path& merges_txt,
                                       const std::filesystem::path& tokenizer_config_json) {
  Json doc;
  doc["version"] = "1.0";
  doc["added_tokens"] = Json::array();
  doc["normalizer"] = {{"type", "NFC"}};
  doc["pre_tokenizer"] = default_pre_tokenizer();
  doc["post_processor"] = byte_level_section();
  doc["decoder"] = byte_level_section();
  Json model = {{"type", "BPE"}, {"dropout", nullptr}, {"unk_token", nullptr},
                {"continuing_subword_prefix", ""}, {"end_of_word_suffix", ""}, {"fuse_unk", false},
                {"byte_fallback", false}, {"ignore_merges", false}};
  model["vocab"] = read_json_file(vocab_json);
  Json merges = Json::array();
  std::string text = read_file(merges_txt);
  std::size_t line_no = 0, pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || (line_no == 1 && line.rfind("#version", 0) == 0)) continue;
    if (std::count(line.begin(), line.end(), ' ') != 1)
      throw_input_error(Location{merges_txt.string(), line_no, 1, ""}, "expected \"left right\"");
    merges.push_back(line);
  }
  model["merges"] = std::move(merges);
  doc["model"] = std::move(model);
  OrderedJson config;
  if (!tokenizer_config_json.empty()) {
    config = read_ordered_json_file(tokenizer_config_json);
    if (config.contains("added_tokens_decoder")) {
      for (auto it = config["added_tokens_decoder"].begin(); it != config["added_tokens_decoder"].end(); ++it) {
        Json a = it.value();
        try {
          a["id"] = std::stoi(it.key());
        } catch (const std::exception&) {
          throw_input_error(Location{tokenizer_config_json.string(), 0, 0, "added_tokens_decoder." + it.key()},
                            "key is not an integer id");
        }
        doc["added_tokens"].push_back(a);
      }
    }
  }
  Tokenizer t = from_json(doc, vocab_json.string());
  t.impl_->config = std::move(config);
  return t;
}

std::vector<TokenId> Tokenizer::encode(std::string_view text, bool parse_special) const {
  std::size_t bad = first_invalid_utf8(text);
  if (bad != std::string_view::npos)
    throw InputError("invalid UTF-8 in text to encode at byte " + std::to_string(bad));
  const Impl& t = *impl_;
  std::vector<TokenId> out;
  out.reserve(text.size() / 3 + 4);
  std::vector<AddedMatcher::Segment> raw, norm;
  std::vector<std::pair<std::size_t, std::size_t>> pieces;
  if (!parse_special || t.raw_matcher.empty()) raw.push_back({0, text.size(), -1});
  else t.raw_matcher.split(text, raw);
  for (const auto& seg : raw) {
    if (seg.token >= 0) {
      out.push_back(t.added[t.raw_index[seg.token]].id);
      continue;
    }
    std::string_view piece = text.substr(seg.begin, seg.end - seg.begin);
    std::string normalized_storage;
    if (t.nfc && !trivially_nfc(piece)) {
      normalized_storage = nfc(piece);
      piece = normalized_storage;
    }
    norm.clear();
    if (!parse_special || t.normalized_matcher.empty()) norm.push_back({0, piece.size(), -1});
    else t.normalized_matcher.split(piece, norm);
    for (const auto& n : norm) {
      if (n.token >= 0) out.push_back(t.added[t.normalized_index[n.token]].id);
      else t.encode_normalized(piece.substr(n.begin, n.end - n.begin), out, pieces);
    }
  }
  return out;
}

std::vector<std::vector<TokenId>> Tokenizer::encode_batch(const std::vector<std::string>& texts,
                                                          bool parse_special) const {
  std::vector<std::vector<TokenId>> out;
  out.reserve(texts.size());
  for (const auto& text : texts) out.push_back(encode(text, parse_special));
  return out;
}

std::string Tokenizer::decode(const std::vector<TokenId>& ids, bool skip_special) const {
  const Impl& t = *impl_;
  std::string bytes;
  for (TokenId id : ids) {
    auto a = t.added_by_id.find(id);
    std::string_view token;
    if (a != t.added_by_id.end()) {
      const AddedToken& added = t.added[a->second];
      if (skip_special && added.special) continue;
      token = added.content;
    } else if (id >= 0 && static_cast<std::size_t>(id) < t.id_to_token.size() && !t.id_to_token[id].empty()) {
      token = t.id_to_token[id];
    } else {
      continue;  // HF drops ids it does not know
    }
    // ByteLevel decoder: map each code point back to its byte; a token with a code point outside the alphabet
    // (an added token such as " x") is taken as its UTF-8 bytes.
    std::size_t mark = bytes.size();
    if (!byte_level_to_bytes(token, bytes)) {
      bytes.resize(mark);
      bytes.append(token);
    }
  }
  return utf8_lossy(bytes);
}

std::optional<TokenId> Tokenizer::token_to_id(std::string_view token) const {
  const Impl& t = *impl_;
  auto a = t.added_by_content.find(std::string(token));
  if (a != t.added_by_content.end()) return t.added[a->second].id;
  auto it = t.token_to_id.find(std::string(token));
  if (it != t.token_to_id.end()) return it->second;
  return std::nullopt;
}

TokenId Tokenizer::require_id(std::string_view token) const {
  auto id = token_to_id(token);
  if (!id) throw InputError(impl_->source + ": token '" + std::string(token) + "' is not in the vocabulary");
  return *id;
}

std::string Tokenizer::id_to_token(TokenId id) const {
  const Impl& t = *impl_;
  auto a = t.added_by_id.find(id);
  if (a != t.added_by_id.end()) return t.added[a->second].content;
  if (id >= 0 && static_cast<std::size_t>(id) < t.id_to_token.size()) return t.id_to_token[id];
  return {};
}

bool Tokenizer::is_special(TokenId id) const {
  auto a = impl_->added_by_id.find(id);
  return a != impl_->added_by_id.end() && impl_->added[a->second].special;
}

std::size_t Tokenizer::size() const { return static_cast<std::size_t>(impl_->max_id() + 1); }

std::size_t Tokenizer::add_tokens(const std::vector<std::string>& tokens) {
  Impl& t = *impl_;
  std::size_t count = 0;
  for (const auto& content : tokens) {
    if (content.empty() || token_to_id(content)) continue;
    if (first_invalid_utf8(content) != std::string::npos) throw InputError("added token is not valid UTF-8");
    AddedToken a;
    a.id = static_cast<TokenId>(size());
    a.content = content;
    a.special = false;
    a.normalized = true;
    t.added.push_back(a);
    t.added_by_content.emplace(a.content, t.added.size() - 1);
    t.added_by_id[a.id] = t.added.size() - 1;
    ++count;
  }
  if (count > 0) t.rebuild_added();
  return count;
}

const std::vector<AddedToken>& Tokenizer::added_tokens() const { return impl_->added; }

// Written by hand rather than through a JSON tree: ordered_json inserts in linear time, and the vocabulary has
// 150k entries. One vocabulary entry or merge per line, like Hugging Face's pretty output.
std::string Tokenizer::to_json() const {
  const Impl& t = *impl_;
  std::string out = "{\n  \"version\": \"1.0\",\n  \"truncation\": null,\n  \"padding\": null,\n";
  std::vector<AddedToken> added = t.added;
  std::stable_sort(added.begin(), added.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  out += "  \"added_tokens\": [";
  for (std::size_t i = 0; i < added.size(); ++i) {
    const auto& a = added[i];
    OrderedJson j = {{"id", a.id}, {"content", a.content}, {"single_word", a.single_word}, {"lstrip", a.lstrip},
                     {"rstrip", a.rstrip}, {"normalized", a.normalized}, {"special", a.special}};
    out += (i ? ",\n    " : "\n    ") + j.dump();
  }
  out += added.empty() ? "],\n" : "\n  ],\n";
  out += "  \"normalizer\": " + t.normalizer_json.dump() + ",\n";
  out += "  \"pre_tokenizer\": " + t.pre_tokenizer_json.dump() + ",\n";
  out += "  \"post_processor\": " + t.post_processor_json.dump() + ",\n";
  out += "  \"decoder\": " + t.decoder_json.dump() + ",\n";
  out += "  \"model\": {\n";
  for (auto it = t.model_header.begin(); it != t.model_header.end(); ++it)
    out += "    " + Json(it.key()).dump() + ": " + it.value().dump() + ",\n";
  out += "    \"vocab\": {";
  bool first = true;
  for (std::size_t id = 0; id < t.id_to_token.size(); ++id) {
    if (t.id_to_token[id].empty()) continue;
    out += first ? "\n      " : ",\n      ";
    first = false;
    out += Json(t.id_to_token[id]).dump() + ": " + std::to_string(id);
  }
  out += "\n    },\n    \"merges\": [";
  for (std::size_t i = 0; i < t.merge_list.size(); ++i) {
    out += i ? ",\n      [" : "\n      [";
    out += Json(t.id_to_token[t.merge_list[i].first]).dump() + ", " +
           Json(t.id_to_token[t.merge_list[i].second]).dump() + "]";
  }
  out += "\n    ]\n  }\n}\n";
  return out;
}

std::string Tokenizer::config_json() const {
  const Impl& t = *impl_;
  OrderedJson c = t.config.is_object() ? t.config : OrderedJson::object();
  auto set_default = [&](const char* key, OrderedJson value) {
    if (!c.contains(key)) c[key] = std::move(value);
  };
  set_default("add_bos_token", false);
  set_default("add_prefix_space", false);
  OrderedJson decoder = OrderedJson::object();
  std::vector<AddedToken> added = t.added;
  std::stable_sort(added.begin(), added.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  OrderedJson specials = OrderedJson::array();
  for (const auto& a : added) {
    decoder[std::to_string(a.id)] = {{"content", a.content}, {"lstrip", a.lstrip}, {"normalized", a.normalized},
                                     {"rstrip", a.rstrip}, {"single_word", a.single_word}, {"special", a.special}};
    if (a.special && a.content != "<|endoftext|>") specials.push_back(a.content);
  }
  c["added_tokens_decoder"] = std::move(decoder);
  set_default("additional_special_tokens", specials);
  set_default("bos_token", nullptr);
  set_default("chat_template", qwen3_chat_template());
  set_default("clean_up_tokenization_spaces", false);
  c["eos_token"] = "<|im_end|>";
  set_default("errors", "replace");
  set_default("model_max_length", 131072);
  c["pad_token"] = "<|im_end|>";
  set_default("split_special_tokens", false);
  set_default("tokenizer_class", "Qwen2Tokenizer");
  set_default("unk_token", nullptr);
  return c.dump(2) + "\n";
}

void Tokenizer::save(const std::filesystem::path& dir) const {
  std::filesystem::create_directories(dir);
  write_file_atomic(dir / "tokenizer.json", to_json());
  write_file_atomic(dir / "tokenizer_config.json", config_json());
}

}  // namespace sidr::text
