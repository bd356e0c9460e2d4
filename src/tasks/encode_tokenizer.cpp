// The Tokenizer-backed constructor lives apart so that code using SampleEncoder with its own encode
// function (tests) does not pull in the tokenizer.
#include "tasks/encode.h"

namespace sidr::tasks {

SampleEncoder::SampleEncoder(const text::Tokenizer& tokenizer, EncodeOptions options)
    : SampleEncoder([&tokenizer](std::string_view s) { return tokenizer.encode(s, /*parse_special=*/true); }, options) {}

}  // namespace sidr::tasks
