// `sidreasoner tokenizer train|encode|decode|add-sid-tokens|render-chat`: the text room's tools. Lines come on
// stdin and results go to stdout, one line per input line, so scripts can pipe through them.
#include <cstdio>
#include <iostream>
#include <string>

#include <fmt/format.h>

#include "cli/command.h"
#include "data/catalog.h"
#include "text/bpe_trainer.h"
#include "text/chat_template.h"
#include "text/tokenizer.h"
#include "util/error.h"
#include "util/json.h"

namespace sidr::cli {
namespace {

struct TokenizerOptions {
  std::string tokenizer;
  std::string sid_index;
  bool json_lines = false;
  bool skip_special = false;
  bool plain_text = false;  // encode: added tokens' text as plain text (else matched first, as HF does)
  std::string out;
  std::vector<std::string> corpus;
  std::size_t vocab_size = 8192;
  std::int64_t min_frequency = 2;
  bool generation_prompt = false;
};

// A tokenizer.json file, a directory holding one, or a vocab.json with merges.txt next to it.
text::Tokenizer load(const TokenizerOptions& o) {
  std::filesystem::path path = o.tokenizer;
  if (std::filesystem::is_directory(path)) path /= "tokenizer.json";
  text::Tokenizer t = path.filename() == "vocab.json"
                          ? text::Tokenizer::from_vocab_merges(path, path.parent_path() / "merges.txt")
                          : text::Tokenizer::from_file(path);
  if (!o.sid_index.empty()) t.add_tokens(data::SidIndex::load(o.sid_index).sorted_level_tokens);
  return t;
}

// Reads stdin line by line; with --json-lines each line is a JSON string.
template <typename F>
void for_each_input_line(bool json_lines, F&& f) {
  std::string line;
  std::size_t number = 0;
  while (std::getline(std::cin, line)) {
    ++number;
    Json j;
    // parse_json names the line and column itself ("stdin:N:1:C: invalid JSON ...").
    if (json_lines) j = parse_json(line, "stdin:" + std::to_string(number));
    try {
      if (json_lines) {
        if (!j.is_string()) throw InputError("expected a JSON string");
        f(j.get<std::string>());
      } else {
        f(line);
      }
    } catch (const InputError& e) {
      throw_input_error(Location{"stdin", number, 0, ""}, e.what());
    } catch (const nlohmann::json::exception& e) {
      throw_input_error(Location{"stdin", number, 0, ""}, e.what());
    }
  }
}

void run_encode(const TokenizerOptions& o) {
  text::Tokenizer t = load(o);
  std::string out;
  for_each_input_line(o.json_lines, [&](const std::string& text) {
    out.clear();
    for (auto id : t.encode(text, /*parse_special=*/!o.plain_text)) {
      if (!out.empty()) out += ' ';
      out += std::to_string(id);
    }
    out += '\n';
    std::fwrite(out.data(), 1, out.size(), stdout);
  });
}

void run_decode(const TokenizerOptions& o) {
  text::Tokenizer t = load(o);
  for_each_input_line(false, [&](const std::string& line) {
    std::vector<text::TokenId> ids;
    std::size_t pos = 0;
    while (pos < line.size()) {
      while (pos < line.size() && line[pos] == ' ') ++pos;
      if (pos >= line.size()) break;
      std::size_t used = 0;
      long long id = 0;
      try {
        id = std::stoll(line.substr(pos), &used);
      } catch (const std::exception&) {
        throw InputError("expected space-separated token ids");
      }
      if (id < 0 || id >= static_cast<long long>(t.size())) throw InputError("token id " + std::to_string(id) +
                                                                             " out of range");
      ids.push_back(static_cast<text::TokenId>(id));
      pos += used;
    }
    std::string text = t.decode(ids, o.skip_special);
    std::string out = o.json_lines ? Json(text).dump() : text;
    out += '\n';
    std::fwrite(out.data(), 1, out.size(), stdout);
  });
}

void run_add_sid_tokens(const TokenizerOptions& o) {
  if (o.sid_index.empty()) throw InputError("option '--sid-index': required");
  TokenizerOptions base = o;
  base.sid_index.clear();
  text::Tokenizer t = load(base);
  std::size_t before = t.size();
  std::size_t added = t.add_tokens(data::SidIndex::load(o.sid_index).sorted_level_tokens);
  t.save(o.out);
  fmt::print("added {} SID tokens (ids {}..{}); len(tokenizer) = {}; wrote {}\n", added, before, t.size() - 1,
             t.size(), o.out);
}

void run_train(const TokenizerOptions& o) {
  text::BpeTrainerOptions options;
  options.vocab_size = o.vocab_size;
  options.min_frequency = o.min_frequency;
  text::BpeTrainer trainer(options);
  for (const auto& file : o.corpus) trainer.feed_file(file);
  text::Tokenizer t = trainer.train();
  t.save(o.out);
  fmt::print("trained byte-level BPE: {} distinct pre-tokens, len(tokenizer) = {}; wrote {}\n",
             trainer.distinct_words(), t.size(), o.out);
}

// Each stdin line: {"messages": [{"role", "content"[, "reasoning_content"]}...], "add_generation_prompt": bool}.
void run_render_chat(const TokenizerOptions& o) {
  for_each_input_line(false, [&](const std::string& line) {
    Json j = parse_json(line, "conversation");
    std::vector<text::ChatMessage> messages;
    for (const auto& m : j.at("messages")) {
      text::ChatMessage message{m.at("role").get<std::string>(), m.at("content").get<std::string>()};
      if (m.contains("reasoning_content") && m["reasoning_content"].is_string())
        message.reasoning_content = m["reasoning_content"].get<std::string>();
      messages.push_back(std::move(message));
    }
    bool gen = j.value("add_generation_prompt", o.generation_prompt);
    std::string out = j.contains("enable_thinking")
                          ? text::render_chat(messages, gen, j["enable_thinking"].get<bool>())
                          : text::render_chat(messages, gen);
    out = Json(out).dump() + "\n";
    std::fwrite(out.data(), 1, out.size(), stdout);
  });
}

void setup(CLI::App& root) {
  auto opts = std::make_shared<TokenizerOptions>();
  auto* cmd = root.add_subcommand("tokenizer", "Byte-level BPE tokenizer (Hugging Face tokenizer.json in and out)");
  cmd->require_subcommand(1);

  auto* encode = cmd->add_subcommand("encode", "Encode stdin lines to space-separated ids (no special tokens added)");
  encode->add_option("--tokenizer", opts->tokenizer, "tokenizer.json, its directory, or vocab.json")->required();
  encode->add_option("--sid-index", opts->sid_index, "index.json whose SID tokens to add first");
  encode->add_flag("--json-lines", opts->json_lines, "each input line is a JSON string");
  encode->add_flag("--plain-text", opts->plain_text,
                   "encode added tokens' text (<|im_end|>, <a_12>) as plain text, not as those tokens");
  encode->callback([opts] { run_encode(*opts); });

  auto* decode = cmd->add_subcommand("decode", "Decode lines of space-separated ids to text");
  decode->add_option("--tokenizer", opts->tokenizer, "tokenizer.json, its directory, or vocab.json")->required();
  decode->add_option("--sid-index", opts->sid_index, "index.json whose SID tokens to add first");
  decode->add_flag("--skip-special", opts->skip_special, "drop special tokens (HF skip_special_tokens)");
  decode->add_flag("--json-lines", opts->json_lines, "print each text as a JSON string");
  decode->callback([opts] { run_decode(*opts); });

  auto* add = cmd->add_subcommand("add-sid-tokens", "Add the SID level tokens of index.json (reference order)");
  add->add_option("--tokenizer", opts->tokenizer, "tokenizer.json, its directory, or vocab.json")->required();
  add->add_option("--sid-index", opts->sid_index, "index.json")->required();
  add->add_option("--out", opts->out, "directory for tokenizer.json + tokenizer_config.json")->required();
  add->callback([opts] { run_add_sid_tokens(*opts); });

  auto* train = cmd->add_subcommand("train", "Train a byte-level BPE tokenizer with the Qwen special tokens");
  train->add_option("--corpus", opts->corpus, "text files (one document per line)")->required()->check(
      CLI::ExistingFile);
  train->add_option("--vocab-size", opts->vocab_size, "len(tokenizer) to reach (default 8192)");
  train->add_option("--min-frequency", opts->min_frequency, "least pair count to merge (default 2)");
  train->add_option("--out", opts->out, "directory for tokenizer.json + tokenizer_config.json")->required();
  train->callback([opts] { run_train(*opts); });

  auto* chat = cmd->add_subcommand("render-chat", "Render JSON-line conversations with the Qwen3 chat template");
  chat->add_flag("--generation-prompt", opts->generation_prompt, "default for add_generation_prompt");
  chat->callback([opts] { run_render_chat(*opts); });
}

}  // namespace
SIDR_COMMAND(20, setup);
}  // namespace sidr::cli
