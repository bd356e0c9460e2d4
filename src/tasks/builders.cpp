#include "tasks/builders.h"

#include <string_view>
#include <unordered_map>

#include "tasks/python_random.h"
#include "text/chat_template.h"
#include "util/error.h"
#include "util/strings.h"

namespace sidr::tasks {
namespace {

const data::Catalog& require_catalog(const TaskContext& ctx) {
  if (!ctx.catalog) throw Error("tasks: this task needs a catalog (TaskContext::catalog is null)");
  return *ctx.catalog;
}

// A Python dict filled in order: keys keep their first-insertion position, values are the last written.
class LastWriterMap {
 public:
  void set(const std::string& key, const std::string& value) {
    auto [it, inserted] = index_.emplace(key, entries_.size());
    if (inserted)
      entries_.emplace_back(key, value);
    else
      entries_[it->second].second = value;
  }
  const std::string* get(const std::string& key) const {
    auto it = index_.find(key);
    return it == index_.end() ? nullptr : &entries_[it->second].second;
  }
  const std::vector<std::pair<std::string, std::string>>& entries() const { return entries_; }

 private:
  std::unordered_map<std::string, std::size_t> index_;
  std::vector<std::pair<std::string, std::string>> entries_;
};

// sid2title and title2sid as the reference builds them from index.json order.
struct TitleMaps {
  LastWriterMap sid2title;
  LastWriterMap title2sid;
};

TitleMaps title_maps(const data::Catalog& catalog) {
  TitleMaps maps;
  for (const auto& item : catalog.items()) {
    maps.sid2title.set(item.sid, item.title);
    maps.title2sid.set(item.title, item.sid);
  }
  return maps;
}

std::string quoted_titles(const std::vector<std::string>& titles, const std::string& open, const std::string& close,
                          const std::string& separator) {
  std::string out;
  for (std::size_t i = 0; i < titles.size(); ++i) {
    if (i) out += separator;
    out += open;
    out += titles[i];
    out += close;
  }
  return out;
}

std::string strip(const std::string& s) { return std::string(trim(s)); }

}  // namespace

TextSample split_at_target(Task task, const std::string& rendered, const std::string& target, bool to_end) {
  const std::size_t pos = rendered.rfind(target);
  if (pos == std::string::npos)
    throw InputError(std::string("tasks: ") + task_name(task) + ": the target does not occur in the rendered chat");
  TextSample s;
  s.task = task;
  s.prefix = rendered.substr(0, pos);
  if (to_end) {
    s.supervised = rendered.substr(pos);
  } else {
    s.supervised = target;
    s.suffix = rendered.substr(pos + target.size());
  }
  return s;
}

TextSample chat_sample(Task task, const std::string& system, const std::string& user, const std::string& target) {
  std::vector<text::ChatMessage> messages;
  if (!system.empty()) messages.push_back({"system", system});
  messages.push_back({"user", user});
  messages.push_back({"assistant", target});
  return split_at_target(task, text::render_chat(messages, false), target, false);
}

std::string history_sids(const data::Interaction& row, const PromptSet& prompts) {
  return join(row.history_sids, prompts.history_separator);
}

std::vector<TextSample> build_t1(const data::Interactions& rows, const TaskContext& ctx) {
  if (ctx.style == PromptStyle::Sequence) return build_t1_sequences(rows);
  const PromptSet& p = prompts_for(ctx.style);
  std::vector<TextSample> out;
  out.reserve(rows.rows.size());
  for (std::size_t i = 0; i < rows.rows.size(); ++i) {
    const auto& row = rows.rows[i];
    auto s = chat_sample(Task::T1, p.t1_system, fill_template(p.t1_user, {{"history", history_sids(row, p)}}),
                         strip(row.item_sid));
    s.source = i;
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<TextSample> build_t2_sid2title(const TaskContext& ctx) {
  const PromptSet& p = prompts_for(ctx.style);
  const TitleMaps maps = title_maps(require_catalog(ctx));
  std::vector<TextSample> out;
  for (const auto& [sid, title] : maps.sid2title.entries()) {
    auto s = chat_sample(Task::T2SidToTitle, p.t2_system, fill_template(p.t2_sid2title_user, {{"sid", sid}}), title);
    s.source = out.size();
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<TextSample> build_t2_title2sid(const TaskContext& ctx) {
  const PromptSet& p = prompts_for(ctx.style);
  const TitleMaps maps = title_maps(require_catalog(ctx));
  std::vector<TextSample> out;
  for (const auto& [title, sid] : maps.title2sid.entries()) {
    auto s =
        chat_sample(Task::T2TitleToSid, p.t2_system, fill_template(p.t2_title2sid_user, {{"title", title}}), sid);
    s.source = out.size();
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<TextSample> build_t2(const TaskContext& ctx) {
  auto out = build_t2_sid2title(ctx);
  auto second = build_t2_title2sid(ctx);
  out.insert(out.end(), std::make_move_iterator(second.begin()), std::make_move_iterator(second.end()));
  return out;
}

std::vector<TextSample> build_t3(const data::Interactions& rows, const TaskContext& ctx) {
  const PromptSet& p = prompts_for(ctx.style);
  const TitleMaps maps = title_maps(require_catalog(ctx));
  std::vector<TextSample> out;
  out.reserve(rows.rows.size());
  for (std::size_t i = 0; i < rows.rows.size(); ++i) {
    const auto& row = rows.rows[i];
    const std::string sid = strip(row.item_sid);
    const std::string* title = maps.sid2title.get(sid);
    auto s = chat_sample(Task::T3, p.t3_system, fill_template(p.t3_user, {{"history", history_sids(row, p)}}),
                         title ? *title : sid);
    s.source = i;
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<std::size_t> t4_instruction_indices(std::size_t rows, std::uint64_t seed) {
  PythonRandom rng(seed);
  std::vector<std::size_t> out(rows);
  for (auto& v : out) v = static_cast<std::size_t>(rng.randint(0, 10));
  return out;
}

std::vector<TextSample> build_t4(const data::Interactions& rows, const TaskContext& ctx) {
  const PromptSet& p = prompts_for(ctx.style);
  const auto draws = t4_instruction_indices(rows.rows.size(), ctx.seed);
  std::vector<TextSample> out;
  out.reserve(rows.rows.size());
  for (std::size_t i = 0; i < rows.rows.size(); ++i) {
    const auto& row = rows.rows[i];
    std::string system;
    if (!p.t4_system.empty()) {
      const std::string instruction = fill_template(p.t4_instructions[draws[i]], {{"category", ctx.category}});
      system = fill_template(p.t4_system, {{"instruction", instruction}});
    }
    const std::string titles =
        quoted_titles(row.history_titles, p.t4_title_open, p.t4_title_close, p.t4_title_separator);
    auto s = chat_sample(Task::T4, system, fill_template(p.t4_user, {{"category", ctx.category}, {"titles", titles}}),
                         fill_template(p.t4_target, {{"title", row.item_title}}));
    s.source = i;
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<TextSample> build_t5(const data::Interactions& rows, const TaskContext& ctx) {
  const PromptSet& p = prompts_for(ctx.style);
  const data::Catalog& catalog = require_catalog(ctx);
  std::vector<TextSample> out;
  out.reserve(rows.rows.size());
  for (std::size_t i = 0; i < rows.rows.size(); ++i) {
    const auto& row = rows.rows[i];
    const std::string id = std::to_string(row.item_id);
    const data::Item* item = catalog.find(id);
    const std::string titles =
        quoted_titles(row.history_titles, p.t5_title_open, p.t5_title_close, p.t5_title_separator);
    auto s = chat_sample(Task::T5, p.t5_system,
                         fill_template(p.t5_user, {{"category", ctx.category}, {"titles", titles}}),
                         item ? item->sid : id);
    s.source = i;
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace sidr::tasks
