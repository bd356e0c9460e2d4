#include "synth/user_reasoning.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include <fmt/format.h>

#include "synth/text_clean.h"
#include "util/strings.h"

namespace sidr::synth {

const char* const kNewDirection =
    "Nothing in my earlier purchases points to what I need next, so I expect to move in a new direction.";
// Used only when a word of kNewDirection is itself a target-only word (e.g. a title with "points").
const char* const kNewDirectionAlternatives[] = {
    "My earlier purchases do not tell me what comes next; this time I expect something different.",
    "I expect a change."};

const char* grounding_name(Grounding grounding) {
  switch (grounding) {
    case Grounding::Words: return "words";
    case Grounding::Brand: return "brand";
    case Grounding::WordsAndBrand: return "words+brand";
    case Grounding::NewDirection: return "new direction";
  }
  return "?";
}

std::uint64_t row_seed(std::uint64_t seed, std::uint64_t row) {
  std::uint64_t z = seed * 0x9E3779B97F4A7C15ull + row + 0x632BE59BD9B4E019ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

namespace {

// "a", "a and b", "a, b and c".
std::string enumerate(const std::vector<std::string>& parts) {
  if (parts.empty()) return "";
  if (parts.size() == 1) return parts[0];
  std::vector<std::string> head(parts.begin(), parts.end() - 1);
  return join(head, ", ") + " and " + parts.back();
}

std::string quoted_words(const std::vector<std::string>& words) {
  std::vector<std::string> q;
  for (const auto& w : words) q.push_back("'" + w + "'");
  return enumerate(q);
}

// The distinct SIDs (not the target's) of the history items selected by `keep`, most recent last, at most 4.
template <typename Keep>
std::vector<std::string> supporting_sids(const std::vector<ItemText>& history, const ItemText& target, Keep keep) {
  std::vector<std::string> out;
  for (auto it = history.rbegin(); it != history.rend() && out.size() < 4; ++it)
    if (keep(*it) && it->sid != target.sid && std::find(out.begin(), out.end(), it->sid) == out.end())
      out.push_back(it->sid);
  std::reverse(out.begin(), out.end());
  return out;
}

// The shared words, ranked: in more history items first, then seen more recently, then alphabetically; at most
// 3, and never every content word of the target's title (that would spell the title out).
std::vector<std::string> shared_words(const std::vector<ItemText>& history, const ItemText& target) {
  const auto target_words = content_words(target.title);
  struct Rank {
    int items = 0;
    std::size_t last = 0;
  };
  std::map<std::string, Rank> ranks;
  for (std::size_t i = 0; i < history.size(); ++i)
    for (const auto& w : content_words(history[i].title))
      if (std::find(target_words.begin(), target_words.end(), w) != target_words.end()) {
        auto& r = ranks[w];
        ++r.items;
        r.last = i + 1;
      }
  std::vector<std::pair<std::string, Rank>> ranked(ranks.begin(), ranks.end());
  std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    if (a.second.items != b.second.items) return a.second.items > b.second.items;
    return a.second.last > b.second.last;
  });
  const std::size_t cap = std::min<std::size_t>(3, std::max<std::size_t>(1, target_words.size() - 1));
  std::vector<std::string> out;
  for (std::size_t i = 0; i < ranked.size() && out.size() < cap; ++i) out.push_back(ranked[i].first);
  return out;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The brand (as the history spells it) that the target shares with a history item, or "".
std::string shared_brand(const std::vector<ItemText>& history, const ItemText& target) {
  const std::string want = lower(target.brand);
  if (want.empty() || words(want).empty()) return "";
  for (auto it = history.rbegin(); it != history.rend(); ++it)
    if (lower(it->brand) == want) return it->brand;
  return "";
}

// Who carries a thread: "<s1> and <s2>", or a phrase without SIDs when only the target's SID carries it.
struct Carriers {
  std::string text;
  bool plural = false;
};
Carriers carriers(const std::vector<std::string>& sids) {
  if (sids.empty()) return {"an earlier purchase of mine", false};
  return {enumerate(sids), sids.size() > 1};
}

std::vector<std::string> word_templates(const Carriers& c, const std::string& w) {
  const char* s = c.plural ? "" : "s";
  return {
      fmt::format("Looking over what I bought, {} keep{} coming back to {}. That is the part of my history I want "
                  "to continue, so my next purchase should build on it.", c.text, s, w),
      fmt::format("The common need in my purchases is {}: it runs through {}. I am not done with that need, and "
                  "I will stay with it.", w, c.text),
      fmt::format("{} show{} me what I am still working on: {}. I expect my next choice to carry that on rather "
                  "than start something unrelated.", c.text, s, w),
      fmt::format("Among my purchases, {} stand{} out for {}. That need looks unfinished to me, so I lean toward "
                  "continuing it.", c.text, s, w)};
}

std::vector<std::string> brand_templates(const Carriers& c, const std::string& b) {
  const char* s = c.plural ? "" : "s";
  return {
      fmt::format("I have bought from {} before ({}), and I trust that maker enough to return to it.", b, c.text),
      fmt::format("{} come{} from {}; my loyalty to {} is what I expect to carry forward.", c.text, s, b, b),
      fmt::format("The maker matters to me here: {} supplied {}, and I would pick {} again.", b, c.text, b)};
}

std::vector<std::string> brand_clauses(const Carriers& c, const std::string& b) {
  return {fmt::format(" It also helps that {} came from {}, a maker I would choose again.", c.text, b),
          fmt::format(" Besides, I already trust {} from {}.", b, c.text)};
}

// The templates in an order drawn from the seed.
std::vector<std::string> shuffled(std::vector<std::string> options, std::uint64_t seed) {
  for (std::size_t i = options.size(); i > 1; --i) {
    seed = row_seed(seed, i);
    std::swap(options[i - 1], options[seed % i]);
  }
  return options;
}

}  // namespace

Reasoning offline_reasoning(const std::vector<ItemText>& history, const ItemText& target, std::uint64_t seed) {
  const LeakContext leaks = make_leak_context(history, target);
  Reasoning r;
  r.words = shared_words(history, target);
  r.brand = shared_brand(history, target);
  std::vector<std::string> candidates;
  if (!r.words.empty()) {
    const auto sids = supporting_sids(history, target, [&](const ItemText& h) {
      const auto w = content_words(h.title);
      return std::any_of(r.words.begin(), r.words.end(),
                         [&](const std::string& x) { return std::find(w.begin(), w.end(), x) != w.end(); });
    });
    candidates = shuffled(word_templates(carriers(sids), quoted_words(r.words)), seed);
    r.grounding = Grounding::Words;
  }
  if (!r.brand.empty()) {
    const auto sids =
        supporting_sids(history, target, [&](const ItemText& h) { return lower(h.brand) == lower(r.brand); });
    if (candidates.empty()) {
      candidates = shuffled(brand_templates(carriers(sids), r.brand), seed);
      r.grounding = Grounding::Brand;
    } else {
      const auto clauses = shuffled(brand_clauses(carriers(sids), r.brand), seed ^ 0x5bd1e995);
      for (auto& c : candidates) c += clauses[0];
      r.grounding = Grounding::WordsAndBrand;
    }
  }
  for (auto& text : candidates) {
    // A template may open with the carriers' phrase ("an earlier purchase of mine shows ...").
    text[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(text[0])));
    if (find_leak(text, leaks).empty()) {
      r.text = text;
      return r;
    }
  }
  r.fell_back = !candidates.empty();
  r.grounding = Grounding::NewDirection;
  r.words.clear();
  r.brand.clear();
  r.text = kNewDirection;
  for (const char* alternative : kNewDirectionAlternatives)
    if (!find_leak(r.text, leaks).empty()) r.text = alternative;
  return r;
}

std::string offline_narrative(const std::vector<ItemText>& history, const ItemText& target,
                              const std::string& reasoning, std::uint64_t seed) {
  std::vector<std::string> sids;
  for (const auto& h : history) sids.push_back(h.sid);
  const std::string all = join(sids, ", ");
  std::string then;
  for (std::size_t i = 0; i < sids.size(); ++i)
    then += (i == 0 ? "" : i + 1 == sids.size() ? ", and most recently " : ", then ") + sids[i];
  const std::vector<std::string> templates = {
      fmt::format("My purchase history, in order: {}. {} My next purchase was {}", all, reasoning, target.sid),
      fmt::format("I bought {}. {} What I chose next was {}", then, reasoning, target.sid),
      fmt::format("The items I bought, oldest first, are {}. {} That led me to {}", all, reasoning, target.sid)};
  return templates[row_seed(seed, 7) % templates.size()];
}

}  // namespace sidr::synth
