#include "synth/item_enrichment.h"

#include <vector>

#include <fmt/format.h>

#include "synth/leak_rules.h"
#include "synth/text_clean.h"
#include "synth/user_reasoning.h"
#include "util/strings.h"

namespace sidr::synth {
namespace {

// Every occurrence of `what` in `text` replaced (case-sensitive).
std::string replace_all(std::string text, const std::string& what, const std::string& with) {
  if (what.empty()) return text;
  for (std::size_t pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + with.size()))
    text.replace(pos, what.size(), with);
  return text;
}

std::string enumerate(const std::vector<std::string>& parts) {
  if (parts.size() <= 1) return parts.empty() ? "" : parts[0];
  return join(std::vector<std::string>(parts.begin(), parts.end() - 1), ", ") + " and " + parts.back();
}

}  // namespace

std::string clean_description(const data::Item& item, std::size_t max_words) {
  const std::string text = clean_text(data::Catalog::processed_description(item));
  if (text == clean_text(item.title)) return "";
  // Cut after the last sentence end within max_words words, else at max_words words.
  std::size_t count = 0, cut = text.size(), sentence_end = std::string::npos;
  bool in_word = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool space = text[i] == ' ';
    if (!space && !in_word && ++count > max_words) {
      cut = i;
      break;
    }
    in_word = !space;
    if ((text[i] == '.' || text[i] == '!' || text[i] == '?') && (i + 1 == text.size() || text[i + 1] == ' '))
      sentence_end = i + 1;
  }
  if (cut == text.size()) return text;
  if (sentence_end != std::string::npos) return text.substr(0, sentence_end);
  return std::string(trim(text.substr(0, cut))) + " ...";
}

std::string offline_item_paragraph(const data::Item& item, const std::string& dataset_name,
                                   const std::string& category, std::uint64_t seed) {
  const std::string& sid = item.sid;
  const std::string title = clean_title(item.title, dataset_name);
  const std::string brand = clean_text(item.brand);
  std::vector<std::string> terms = content_words(title);
  if (terms.size() > 6) terms.resize(6);
  std::string description = clean_description(item);
  if (!title.empty()) description = replace_all(description, title, sid);
  const std::uint64_t pick = row_seed(seed, 0x17e3);
  LeakContext title_only;  // an item's own paragraph: its SID is allowed, its title is not
  title_only.history_sids = {sid};
  title_only.title_words = words(title);

  std::vector<std::string> sentences;
  if (!brand.empty() && !words(brand).empty()) {
    const char* stop = ends_with(brand, ".") ? "" : ".";  // "Co., Inc." ends the sentence itself
    const std::string options[] = {fmt::format("{} is made by {}{}", sid, brand, stop),
                                   fmt::format("{} comes from {}{}", sid, brand, stop),
                                   fmt::format("The maker of {} is {}{}", sid, brand, stop)};
    sentences.push_back(options[pick % 3]);
  }
  if (!terms.empty()) {
    const std::string options[] = {fmt::format("{} is about {}.", sid, enumerate(terms)),
                                   fmt::format("The key terms for {} are {}.", sid, enumerate(terms)),
                                   fmt::format("What defines {}: {}.", sid, enumerate(terms))};
    // A list of title words can spell a short title out ("Relay and Capacitor"); then it is left out.
    const std::string& sentence = options[(pick >> 8) % 3];
    if (find_leak(sentence, title_only).empty()) sentences.push_back(sentence);
    else terms.clear();
  }
  if (!description.empty()) {
    const std::string options[] = {fmt::format("In its own words: {}", description),
                                   fmt::format("Its description says: {}", description),
                                   fmt::format("Details of {}: {}", sid, description)};
    // The title in other punctuation or case survives the replacement: then the description is left out.
    const std::string& sentence = options[(pick >> 16) % 3];
    if (find_leak(sentence, title_only).empty()) sentences.push_back(sentence);
  }
  if (sentences.empty()) return fmt::format("{} is one of the {}; its catalog entry gives no details.", sid, category);
  sentences.push_back(fmt::format("{} belongs to the {}.", sid, category));
  // The brand and terms sentences may trade places; the description and the category close the paragraph.
  if ((pick >> 24) % 2 == 1 && sentences.size() >= 3 && !brand.empty() && !terms.empty())
    std::swap(sentences[0], sentences[1]);
  return join(sentences, " ");
}

}  // namespace sidr::synth
