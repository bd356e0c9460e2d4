#include "synth/leak_rules.h"

#include <algorithm>
#include <regex>

#include "synth/text_clean.h"

namespace sidr::synth {

LeakContext make_leak_context(const std::vector<ItemText>& history, const ItemText& target) {
  LeakContext c;
  c.target_sid = target.sid;
  for (const auto& h : history)
    if (h.sid != target.sid && std::find(c.history_sids.begin(), c.history_sids.end(), h.sid) == c.history_sids.end())
      c.history_sids.push_back(h.sid);
  c.title_words = words(target.title);
  std::set<std::string> history_words;
  for (const auto& h : history) {
    for (auto& w : content_words(h.title)) history_words.insert(w);
    for (auto& w : content_words(h.brand)) history_words.insert(w);
  }
  for (const auto* text : {&target.title, &target.brand})
    for (auto& w : content_words(*text))
      if (!history_words.count(w)) c.target_only_words.insert(w);
  return c;
}

std::string find_leak(const std::string& text, const LeakContext& context) {
  if (!context.target_sid.empty() && text.find(context.target_sid) != std::string::npos)
    return "names the target SID " + context.target_sid;
  // Blank out the history's SIDs; any SID-like token left names something outside the history.
  std::string rest = text;
  for (const auto& sid : context.history_sids)
    for (std::size_t pos = rest.find(sid); pos != std::string::npos; pos = rest.find(sid, pos))
      rest.replace(pos, sid.size(), " ");
  static const std::regex kToken("<[a-z]_[0-9]+>");
  std::smatch m;
  if (std::regex_search(rest, m, kToken)) return "names the SID token " + m.str() + " outside the history's SIDs";
  const auto text_words = words(rest);
  for (const auto& w : text_words)
    if (context.target_only_words.count(w)) return "uses the word '" + w + "' found only in the target";
  const auto& title = context.title_words;
  if (title.size() >= 2 && text_words.size() >= title.size() &&
      std::search(text_words.begin(), text_words.end(), title.begin(), title.end()) != text_words.end())
    return "recites the target's title";
  return "";
}

}  // namespace sidr::synth
