#define PCRE2_CODE_UNIT_WIDTH 8
#include "text/pre_tokenizer.h"

#include <pcre2.h>

#include "util/error.h"

namespace sidr::text {

const char* const kGpt2Pattern = R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";
const char* const kQwen2Pattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

struct RegexSplitter::Code {
  pcre2_code* code = nullptr;
  ~Code() {
    if (code) pcre2_code_free(code);
  }
};

RegexSplitter::RegexSplitter(const std::string& pattern, SplitBehavior behavior)
    : pattern_(pattern), behavior_(behavior), code_(std::make_unique<Code>()) {
  int error = 0;
  PCRE2_SIZE offset = 0;
  code_->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), PCRE2_UTF | PCRE2_UCP,
                              &error, &offset, nullptr);
  if (!code_->code) {
    PCRE2_UCHAR message[256];
    pcre2_get_error_message(error, message, sizeof message);
    throw InputError("pre-tokenizer regex does not compile at offset " + std::to_string(offset) + ": " +
                     reinterpret_cast<char*>(message));
  }
  pcre2_jit_compile(code_->code, PCRE2_JIT_COMPLETE);  // falls back to the interpreter if JIT is unavailable
}

RegexSplitter::~RegexSplitter() = default;

void RegexSplitter::split(std::string_view text, std::vector<std::pair<std::size_t, std::size_t>>& pieces) const {
  // Match data is per call so that one tokenizer can be shared by threads.
  struct MatchData {
    pcre2_match_data* data;
    explicit MatchData(const pcre2_code* code) : data(pcre2_match_data_create_from_pattern(code, nullptr)) {}
    ~MatchData() { pcre2_match_data_free(data); }
  };
  thread_local std::unique_ptr<MatchData> cached;
  thread_local const pcre2_code* cached_for = nullptr;
  if (cached_for != code_->code) {
    cached = std::make_unique<MatchData>(code_->code);
    cached_for = code_->code;
  }
  pcre2_match_data* md = cached->data;
  const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  std::size_t pos = 0, last = 0;
  while (pos < text.size()) {
    int rc = pcre2_match(code_->code, subject, text.size(), pos, PCRE2_NO_UTF_CHECK, md, nullptr);
    if (rc == PCRE2_ERROR_NOMATCH) break;
    if (rc < 0) throw Error("pre-tokenizer regex failed with PCRE2 error " + std::to_string(rc));
    PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md);
    std::size_t begin = ov[0], end = ov[1];
    if (end == begin) {  // empty match: step over one code point
      pos = begin + 1;
      while (pos < text.size() && (static_cast<unsigned char>(text[pos]) & 0xC0) == 0x80) ++pos;
      continue;
    }
    if (begin > last && behavior_ == SplitBehavior::kIsolated) pieces.emplace_back(last, begin);
    if (behavior_ == SplitBehavior::kIsolated) pieces.emplace_back(begin, end);
    if (behavior_ == SplitBehavior::kRemoved && begin > last) pieces.emplace_back(last, begin);
    last = pos = end;
  }
  if (last < text.size()) pieces.emplace_back(last, text.size());
}

std::string regex_escape(std::string_view literal) {
  std::string out;
  for (char c : literal) {
    if (std::string_view("\\^$.|?*+()[]{}-/#").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

}  // namespace sidr::text
