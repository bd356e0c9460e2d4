#include "train/augment.h"

#include <fmt/format.h>

#include "util/error.h"
#include "util/strings.h"

namespace sidr::train {
namespace {

// Uniform in [0, 1) from the top 53 bits.
double uniform(std::uint64_t& rng) { return static_cast<double>(splitmix64(rng) >> 11) * 0x1.0p-53; }

double parse_probability(const std::string& key, const std::string& value, const std::string& text) {
  std::size_t used = 0;
  double p = -1.0;
  try {
    p = std::stod(value, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != value.size() || !(p >= 0.0 && p < 1.0))
    throw InputError(fmt::format("option --augment: {} must be a probability in [0, 1), got '{}' in '{}'", key, value,
                                 text));
  return p;
}

}  // namespace

AugmentOptions AugmentOptions::parse(const std::string& text) {
  AugmentOptions options;
  if (text.empty() || text == "none") return options;
  for (const auto& part : split(text, ',')) {
    auto eq = part.find('=');
    std::string key(trim(std::string_view(part).substr(0, eq)));
    if (eq == std::string::npos)
      throw InputError(fmt::format("option --augment: expected key=value, got '{}' in '{}'", part, text));
    std::string value(trim(std::string_view(part).substr(eq + 1)));
    if (key == "crop") options.crop = parse_probability(key, value, text);
    else if (key == "drop") options.drop = parse_probability(key, value, text);
    else throw InputError(fmt::format("option --augment: unknown key '{}' (crop, drop) in '{}'", key, text));
  }
  return options;
}

std::string AugmentOptions::to_string() const {
  if (!enabled()) return "none";
  return fmt::format("crop={},drop={}", crop, drop);
}

SequenceAugmenter::SequenceAugmenter(AugmentOptions options, std::vector<bool> is_item_start, std::uint64_t seed)
    : options_(options), is_item_start_(std::move(is_item_start)), seed_(seed) {}

Sample SequenceAugmenter::augment(const Sample& sample, std::uint64_t& rng) const {
  const auto& ids = sample.input_ids;
  // Item spans: position 0 is the sequence start, every later token belongs to the item opened before it.
  std::vector<std::size_t> starts;
  for (std::size_t t = 1; t < ids.size(); ++t) {
    auto id = static_cast<std::size_t>(ids[t]);
    bool opens = id < is_item_start_.size() && is_item_start_[id];
    if (t == 1 && !opens) return sample;  // not an item sequence
    if (opens) starts.push_back(t);
  }
  const std::size_t n = starts.size();
  if (n < 3) return sample;  // one context item and one target: nothing to take away
  starts.push_back(ids.size());

  std::vector<bool> keep(n, true);
  std::size_t first = 0;
  if (options_.crop > 0.0 && uniform(rng) < options_.crop) first = 1 + splitmix64(rng) % (n - 2);
  for (std::size_t k = 0; k < first; ++k) keep[k] = false;
  std::size_t kept = n - first;
  if (options_.drop > 0.0)
    for (std::size_t k = first; k + 1 < n; ++k)
      if (kept > 2 && uniform(rng) < options_.drop) {
        keep[k] = false;
        --kept;
      }

  Sample out;
  out.input_ids.push_back(ids[0]);
  out.labels.push_back(sample.labels[0]);
  bool first_kept = true;
  bool any_label = false;
  for (std::size_t k = 0; k < n; ++k) {
    if (!keep[k]) continue;
    for (std::size_t t = starts[k]; t < starts[k + 1]; ++t) {
      out.input_ids.push_back(ids[t]);
      std::int32_t label = first_kept ? kIgnoreLabel : sample.labels[t];
      any_label = any_label || label != kIgnoreLabel;
      out.labels.push_back(label);
    }
    first_kept = false;
  }
  return any_label ? out : sample;
}

std::vector<Sample> SequenceAugmenter::epoch_samples(const std::vector<Sample>& base, std::int64_t epoch) const {
  std::vector<Sample> out;
  out.reserve(base.size());
  for (std::size_t i = 0; i < base.size(); ++i) {
    std::uint64_t rng = seed_;
    rng = splitmix64(rng) ^ static_cast<std::uint64_t>(epoch);
    rng = splitmix64(rng) ^ static_cast<std::uint64_t>(i);
    out.push_back(augment(base[i], rng));
  }
  return out;
}

}  // namespace sidr::train
