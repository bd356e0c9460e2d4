// What a reasoning path must not say (issue 17): the target's SID, any SID token that is not part of a history
// SID (a phrase restating the target's first token is one), a word found only in the target (its title or
// brand), or the target's title itself. The offline generator checks every text it writes with these rules and
// the teacher client checks every reply; tests/synth/check_corpus.py re-derives them independently in Python.
#pragma once
#include <set>
#include <string>
#include <vector>

namespace sidr::synth {

// One item as the generator sees it: SID and cleaned catalog text.
struct ItemText {
  std::string sid;
  std::string title;  // cleaned; empty for a junk title
  std::string brand;  // cleaned; may be empty
};

struct LeakContext {
  std::string target_sid;
  std::vector<std::string> history_sids;   // distinct, without the target's SID
  std::vector<std::string> title_words;    // the target title's words, in order (all words, not only content)
  std::set<std::string> target_only_words;  // content words of the target's title and brand that no history
                                            // title or brand has
};

LeakContext make_leak_context(const std::vector<ItemText>& history, const ItemText& target);

// Empty if the text obeys the rules; otherwise what it leaks, e.g. "names the target SID <a_1><b_2><c_3>".
std::string find_leak(const std::string& text, const LeakContext& context);

}  // namespace sidr::synth
