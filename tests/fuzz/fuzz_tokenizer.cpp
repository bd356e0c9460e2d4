// Fuzzes the text room: encode/decode on arbitrary bytes (invalid UTF-8 must be an InputError, never a crash;
// valid text without '<' must round-trip to its NFC), render_chat, and loading arbitrary tokenizer.json text.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "text/bpe_trainer.h"
#include "text/chat_template.h"
#include "text/normalizer.h"
#include "text/tokenizer.h"
#include "util/error.h"

using namespace sidr;

static const text::Tokenizer& tokenizer() {
  static text::Tokenizer t = [] {
    text::BpeTrainerOptions o;
    o.vocab_size = 400;
    text::BpeTrainer trainer(o);
    for (int i = 0; i < 20; ++i)
      trainer.feed("The quick brown fox jumps over the lazy dog. I'm 42 years old.\n日本語のテキスト é ü 👍\n");
    text::Tokenizer tok = trainer.train();
    tok.add_tokens({"<a_1>", "<b_2>", "<c_3>"});
    return tok;
  }();
  return t;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  const text::Tokenizer& tok = tokenizer();
  try {
    auto ids = tok.encode(input, /*parse_special=*/true);
    std::string back = tok.decode(ids);
    if (input.find('<') == std::string::npos && back != text::nfc(input)) std::abort();
    // As plain text nothing is an added token, so every input comes back (normalised), markup included.
    if (tok.decode(tok.encode(input)) != text::nfc(input)) std::abort();
    std::string half = input.substr(0, size / 2);
    text::render_chat({{"system", half}, {"user", input}, {"assistant", input.substr(size / 2)}}, size % 2 == 0);
  } catch (const InputError&) {
  }
  try {
    text::Tokenizer::from_json_text(input, "fuzz");
  } catch (const Error&) {
  }
  return 0;
}
