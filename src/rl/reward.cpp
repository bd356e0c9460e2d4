#include "rl/reward.h"

#include <cmath>

#include <fmt/format.h>

#include "util/error.h"

namespace sidr::rl {
namespace {

// Python's str.strip(chars) for ASCII chars.
std::string_view strip(std::string_view text, std::string_view chars) {
  auto begin = text.find_first_not_of(chars);
  if (begin == std::string_view::npos) return {};
  auto end = text.find_last_not_of(chars);
  return text.substr(begin, end - begin + 1);
}

// The byte offset where the last `count` code points of UTF-8 text begin (0 when it has no more than that).
std::size_t last_code_points_offset(std::string_view text, std::size_t count) {
  std::size_t seen = 0;
  for (std::size_t i = text.size(); i > 0; --i) {
    auto byte = static_cast<unsigned char>(text[i - 1]);
    if ((byte & 0xC0) != 0x80 && ++seen == count) return i - 1;  // a lead byte starts a code point
  }
  return 0;
}

}  // namespace

std::vector<std::string> angle_tokens(std::string_view text, std::size_t limit) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (out.size() < limit) {
    auto open = text.find('<', pos);
    if (open == std::string_view::npos) break;
    // <[^>]+>: at least one non-'>' character, then '>'; a '<' inside is part of [^>].
    auto close = text.find('>', open + 1);
    if (close == std::string_view::npos) break;
    if (close == open + 1) {  // "<>" does not match here; the search goes on after the '<'
      pos = open + 1;
      continue;
    }
    out.emplace_back(text.substr(open, close - open + 1));
    pos = close + 1;
  }
  return out;
}

std::optional<std::vector<std::string>> step_rule_answer(std::string_view completion) {
  std::string_view window = completion.substr(last_code_points_offset(completion, 50));
  auto close = window.find("</think>");
  if (close == std::string_view::npos) return std::nullopt;
  // `</think>\s*(.*)` then .strip(): leading or trailing whitespace cannot change which <...> tokens match.
  auto tokens = angle_tokens(window.substr(close + 8), 3);
  if (tokens.size() < 3) return std::nullopt;
  return tokens;
}

StepRuleReward::StepRuleReward(std::vector<std::string> valid_sids)
    : valid_(std::make_move_iterator(valid_sids.begin()), std::make_move_iterator(valid_sids.end())) {}

double StepRuleReward::score_one(std::string_view completion, std::string_view ground_truth) const {
  auto answer = step_rule_answer(completion);
  if (!answer) return 0.0;
  auto truth = angle_tokens(ground_truth, 3);
  const auto& a = *answer;
  auto same = [&](std::size_t level) { return level < truth.size() && a[level] == truth[level]; };
  // Prefix credit: a deeper level counts only after every level above it matched.
  double hit = 0.0;
  if (same(0)) {
    hit = 0.25;
    if (same(1)) {
      hit = 0.5;
      if (same(2)) hit = 1.0;
    }
  }
  bool valid = valid_.count(a[0] + a[1] + a[2]) > 0;
  return hit + (valid ? 0.1 : 0.0);
}

std::vector<double> StepRuleReward::score(const RewardGroup& group) const {
  std::vector<double> out;
  out.reserve(group.completions.size());
  for (const auto& c : group.completions) out.push_back(score_one(c, group.ground_truth));
  return out;
}

std::string answered_sid(const std::string& text, bool think) {
  if (think) {
    auto answer = step_rule_answer(text);
    return answer ? (*answer)[0] + (*answer)[1] + (*answer)[2] : std::string();
  }
  return std::string(strip(text, " \t\r\n\""));
}

bool minionerec_hit(std::string_view completion, std::string_view ground_truth) {
  return strip(completion, "\n\" ") == strip(ground_truth, "\n\" ");
}

std::vector<double> ranking_penalties(std::size_t group_size) {
  std::vector<double> w(group_size);
  double total = 0.0;
  for (std::size_t j = 0; j < group_size; ++j) total += (w[j] = 1.0 / std::log2(static_cast<double>(j) + 2.0));
  for (auto& v : w) v = -v / total;
  return w;
}

std::vector<double> RuleReward::score(const RewardGroup& group) const {
  std::vector<double> out;
  for (const auto& c : group.completions) out.push_back(minionerec_hit(c, group.ground_truth) ? 1.0 : 0.0);
  return out;
}

std::vector<double> RankingReward::score(const RewardGroup& group) const {
  const std::size_t g = group.completions.size();
  std::vector<double> out(g, 0.0);
  std::vector<bool> hit(g);
  bool any = false;
  for (std::size_t j = 0; j < g; ++j) any |= (hit[j] = minionerec_hit(group.completions[j], group.ground_truth));
  if (!any) return out;
  auto penalty = ranking_penalties(g);
  for (std::size_t j = 0; j < g; ++j) out[j] = hit[j] ? 1.0 : penalty[j];
  return out;
}

std::vector<double> ExactMatchReward::score(const RewardGroup& group) const {
  std::vector<double> out;
  for (const auto& c : group.completions) {
    std::string_view answer = c;
    auto close = answer.rfind("</think>");
    if (close != std::string_view::npos) answer = answer.substr(close + 8);
    out.push_back(strip(answer, " \t\r\n") == strip(group.ground_truth, " \t\r\n") ? 1.0 : 0.0);
  }
  return out;
}

std::unique_ptr<Reward> make_reward(const std::string& name, const std::vector<std::string>& valid_sids) {
  if (name == "step_rule") return std::make_unique<StepRuleReward>(valid_sids);
  if (name == "rule") return std::make_unique<RuleReward>();
  if (name == "ranking") return std::make_unique<RankingReward>();
  if (name == "exact") return std::make_unique<ExactMatchReward>();
  throw InputError("option --reward: unknown reward '" + name + "' (step_rule, rule, ranking, exact; sasrec with --sasrec)");
}

std::vector<double> checked_score(const Reward& reward, const RewardGroup& group) {
  std::vector<double> values;
  try {
    values = reward.score(group);
  } catch (const std::exception& e) {
    throw Error(fmt::format("reward '{}' failed on prompt row {}: {}", reward.name(), group.prompt_row, e.what()));
  }
  if (values.size() != group.completions.size())
    throw Error(fmt::format("reward '{}' on prompt row {}: {} values for {} completions", reward.name(),
                            group.prompt_row, values.size(), group.completions.size()));
  for (std::size_t j = 0; j < values.size(); ++j)
    if (!std::isfinite(values[j]))
      throw Error(fmt::format("reward '{}' on prompt row {}: completion {} scored {} (not a finite number)",
                              reward.name(), group.prompt_row, j, values[j]));
  return values;
}

}  // namespace sidr::rl
