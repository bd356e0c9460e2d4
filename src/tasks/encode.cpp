#include "tasks/encode.h"

#include <algorithm>

#include "util/error.h"

namespace sidr::tasks {
namespace {

using Ids = std::vector<text::TokenId>;

void append(Ids& to, const Ids& from) { to.insert(to.end(), from.begin(), from.end()); }

// Start of the last occurrence of `needle` in `haystack`, or npos.
std::size_t rfind_ids(const Ids& haystack, const Ids& needle) {
  if (needle.empty() || needle.size() > haystack.size()) return std::string::npos;
  for (std::size_t start = haystack.size() - needle.size() + 1; start-- > 0;)
    if (std::equal(needle.begin(), needle.end(), haystack.begin() + start)) return start;
  return std::string::npos;
}

}  // namespace

std::size_t Sample::num_labels() const {
  return static_cast<std::size_t>(std::count_if(labels.begin(), labels.end(), [](auto l) { return l != kIgnoreIndex; }));
}

void EncodeOptions::validate() const {
  if (cutoff < 1) throw InputError("cutoff must be at least 1, got 0");
  if (general_cutoff < 1) throw InputError("general-data cutoff must be at least 1, got 0");
}

EncodeStats& EncodeStats::operator+=(const EncodeStats& o) {
  samples += o.samples;
  mismatches += o.mismatches;
  searched += o.searched;
  approximate += o.approximate;
  truncated += o.truncated;
  no_labels += o.no_labels;
  return *this;
}

void truncate_left(Ids& ids, std::size_t max_len) {
  if (max_len == 0 || ids.size() <= max_len) return;
  ids.erase(ids.begin(), ids.end() - static_cast<std::ptrdiff_t>(max_len));
}

SampleEncoder::SampleEncoder(EncodeFn encode, EncodeOptions options)
    : encode_(std::move(encode)), options_(options) {
  options_.validate();
}

Sample SampleEncoder::encode(const TextSample& s) {
  auto enc = [&](const std::string& piece) { return piece.empty() ? Ids{} : encode_(piece); };
  const Ids prefix = enc(s.prefix);
  const Ids target = enc(s.supervised);
  const Ids suffix = enc(s.suffix);

  Sample out;
  out.task = s.task;
  std::size_t begin = prefix.size(), end = prefix.size() + target.size();
  Ids parts = prefix;
  append(parts, target);
  append(parts, suffix);
  if (s.by_parts) {
    out.input_ids = std::move(parts);
  } else {
    out.input_ids = enc(s.text());
    if (out.input_ids != parts) {
      ++stats_.mismatches;
      // Tokens shared with the prefix ids at the front and the suffix ids at the back are certainly not
      // supervised; the span lies between them.
      const Ids& ids = out.input_ids;
      std::size_t head = 0;
      while (head < prefix.size() && head < ids.size() && ids[head] == prefix[head]) ++head;
      std::size_t tail = 0;
      while (tail < suffix.size() && tail < ids.size() - head &&
             ids[ids.size() - 1 - tail] == suffix[suffix.size() - 1 - tail])
        ++tail;
      const Ids window(ids.begin() + head, ids.end() - tail);
      const std::size_t found = rfind_ids(window, target);
      if (found != std::string::npos) {
        ++stats_.searched;  // the target's own ids are intact: label exactly them
        begin = head + found;
        end = begin + target.size();
      } else {
        ++stats_.approximate;  // the target merged with a neighbour: label the whole window
        begin = head;
        end = ids.size() - tail;
      }
    }
  }
  out.labels.assign(out.input_ids.size(), kIgnoreIndex);
  for (std::size_t i = begin; i < end && i < out.input_ids.size(); ++i) out.labels[i] = out.input_ids[i];

  const std::size_t cutoff = s.task == Task::T8 ? options_.general_cutoff : options_.cutoff;
  if (out.input_ids.size() > cutoff) {
    ++stats_.truncated;
    truncate_left(out.input_ids, cutoff);
    truncate_left(out.labels, cutoff);
  }
  if (out.num_labels() == 0) ++stats_.no_labels;
  ++stats_.samples;
  if (options_.keep_text) out.text = s.text();
  return out;
}

std::vector<Sample> SampleEncoder::encode_all(const std::vector<TextSample>& samples) {
  std::vector<Sample> out;
  out.reserve(samples.size());
  for (const auto& s : samples) out.push_back(encode(s));
  return out;
}

Ids SampleEncoder::encode_prompt(std::string_view text, std::size_t max_len) const {
  Ids ids = encode_(text);
  truncate_left(ids, max_len);
  return ids;
}

}  // namespace sidr::tasks
