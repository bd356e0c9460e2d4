#include "tasks/corpus.h"

#include <algorithm>
#include <array>
#include <fstream>
#include <string_view>

#include "data/csv.h"
#include "data/list_literal.h"
#include "tasks/builders.h"
#include "tasks/prompts.h"
#include "tasks/py_literal.h"
#include "tasks/python_random.h"
#include "text/chat_template.h"
#include "util/error.h"
#include "util/file_io.h"
#include "util/json.h"
#include "util/strings.h"

namespace sidr::tasks {
namespace {

// pandas.read_csv's default NaN spellings (a cell equal to one of these reads as NaN).
bool is_pandas_nan(std::string_view cell) {
  static const std::array<std::string_view, 19> kNan = {
      "",     "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
      "<NA>", "N/A",  "NA",       "NULL", "NaN",    "None",     "n/a",  "nan",  "null"};
  return std::find(kNan.begin(), kNan.end(), cell) != kNan.end();
}

TextSample plain_sample(Task task, std::string text, std::size_t source) {
  TextSample s;
  s.task = task;
  s.supervised = std::move(text);
  s.source = source;
  return s;
}

void bump(CorpusStats* stats, std::size_t CorpusStats::*field) {
  if (stats) ++(stats->*field);
}

// Message content: a string, or a list whose first element's "text" is taken (the reference's [0]["text"]).
std::optional<std::string> message_text(const Json& content) {
  if (content.is_string()) return content.get<std::string>();
  if (content.is_array() && !content.empty() && content[0].is_object() && content[0].contains("text") &&
      content[0]["text"].is_string())
    return content[0]["text"].get<std::string>();
  return std::nullopt;
}

}  // namespace

std::string cut_after_think(const std::string& text) {
  const std::size_t pos = text.rfind("</think>");
  if (pos == std::string::npos) return text;
  return std::string(trim(std::string_view(text).substr(pos + 8)));
}

NarrativeFile NarrativeFile::load(const std::filesystem::path& csv_path) {
  const std::string file = csv_path.string();
  const std::string text = read_file(csv_path);
  const auto records = data::read_csv(text, file);
  if (records.empty()) throw_input_error({file, 1, 0, ""}, "empty CSV (no header)");
  const auto& header = records[0].fields;
  auto column = [&](const char* name) -> int {
    for (std::size_t c = 0; c < header.size(); ++c)
      if (trim(header[c]) == name) return static_cast<int>(c);
    return -1;
  };
  const int c_history = column("history_item_sid"), c_item = column("item_sid"),
            c_reason = column("reasoning_path"), c_narrative = column("integrated_narrative");
  if (c_history < 0 && c_item < 0 && c_reason < 0 && c_narrative < 0)
    throw_input_error({file, 1, 0, ""},
                      "header has none of history_item_sid, item_sid, reasoning_path, integrated_narrative");
  NarrativeFile out;
  out.file = csv_path;
  for (std::size_t r = 1; r < records.size(); ++r) {
    const auto& rec = records[r];
    if (rec.fields.size() == 1 && rec.fields[0].empty()) continue;  // blank line
    NarrativeRow row;
    row.line = rec.line;
    auto cell = [&](int c) -> std::optional<std::string> {
      if (c < 0 || static_cast<std::size_t>(c) >= rec.fields.size() || is_pandas_nan(rec.fields[c])) return std::nullopt;
      return rec.fields[c];
    };
    row.item_sid = cell(c_item);
    row.reasoning_path = cell(c_reason);
    row.integrated_narrative = cell(c_narrative);
    if (auto h = cell(c_history)) {
      try {
        row.history_sids = data::parse_string_list(
            *h, Location{file, rec.lines[static_cast<std::size_t>(c_history)],
                         rec.columns[static_cast<std::size_t>(c_history)], "history_item_sid"});
      } catch (const InputError&) {
        row.history_malformed = true;  // counted by build_reason, which skips the row
      }
    }
    out.rows.push_back(std::move(row));
  }
  return out;
}

std::vector<TextSample> build_t6(const std::filesystem::path& item_enhanced_json, CorpusStats* stats) {
  const OrderedJson doc = read_ordered_json_file(item_enhanced_json);
  if (!doc.is_object())
    throw_input_error({item_enhanced_json.string(), 1, 1, ""}, "expected a JSON object of item id -> metadata");
  std::vector<TextSample> out;
  std::size_t index = 0;
  for (const auto& [key, value] : doc.items()) {
    const std::size_t source = index++;
    if (!value.is_object() || !value.contains("llm_stage2") || !value["llm_stage2"].is_string()) {
      bump(stats, &CorpusStats::skipped_missing);
      continue;
    }
    std::string text = cut_after_think(value["llm_stage2"].get<std::string>());
    if (trim(text).empty()) {
      bump(stats, &CorpusStats::skipped_missing);
      continue;
    }
    out.push_back(plain_sample(Task::T6, std::move(text), source));
    bump(stats, &CorpusStats::used);
  }
  return out;
}

std::vector<TextSample> build_t7(const NarrativeFile& file, CorpusStats* stats) {
  std::vector<TextSample> out;
  for (std::size_t i = 0; i < file.rows.size(); ++i) {
    const auto& cell = file.rows[i].integrated_narrative;
    std::string text = cell ? cut_after_think(*cell) : std::string();
    if (trim(text).empty()) {
      bump(stats, &CorpusStats::skipped_missing);
      continue;
    }
    out.push_back(plain_sample(Task::T7, std::move(text), i));
    bump(stats, &CorpusStats::used);
  }
  return out;
}

std::vector<TextSample> build_reason(const NarrativeFile& file, PromptStyle style, CorpusStats* stats) {
  const PromptSet& p = prompts_for(style);
  std::vector<TextSample> out;
  for (std::size_t i = 0; i < file.rows.size(); ++i) {
    const auto& row = file.rows[i];
    if (row.history_malformed) {
      bump(stats, &CorpusStats::skipped_bad);
      continue;
    }
    if (!row.reasoning_path || trim(*row.reasoning_path).empty() || !row.item_sid || !row.history_sids) {
      bump(stats, &CorpusStats::skipped_missing);
      continue;
    }
    std::string reasoning(trim(*row.reasoning_path));
    if (starts_with(reasoning, "<think>")) {
      if (reasoning.find("</think>") == std::string::npos) {
        bump(stats, &CorpusStats::skipped_unclosed);
        continue;
      }
      reasoning = cut_after_think(reasoning);
    }
    const std::string sid(trim(*row.item_sid));
    const std::string content = "<think>\n" + std::string(trim(reasoning)) + "\n</think>\n\n" + sid;
    std::vector<text::ChatMessage> messages;
    if (!p.reason_system.empty()) messages.push_back({"system", p.reason_system});
    messages.push_back({"user", fill_template(p.reason_user, {{"history", join(*row.history_sids, p.history_separator)}})});
    messages.push_back({"assistant", content});
    try {
      auto s = split_at_target(Task::Reason, text::render_chat(messages, false), content, true);
      s.source = i;
      out.push_back(std::move(s));
      bump(stats, &CorpusStats::used);
    } catch (const InputError&) {
      bump(stats, &CorpusStats::skipped_bad);  // e.g. a stray </think> inside the reasoning re-renders differently
    }
  }
  return out;
}

std::vector<TextSample> build_t8(const std::filesystem::path& jsonl, std::size_t count, std::uint64_t seed,
                                 CorpusStats* stats) {
  const std::string text = read_file(jsonl);
  std::vector<std::string_view> lines;
  std::vector<std::size_t> line_numbers;
  std::size_t start = 0, number = 1;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + start, end - start);
    if (!trim(line).empty()) {
      lines.push_back(line);
      line_numbers.push_back(number);
    }
    start = end + 1;
    ++number;
  }
  std::vector<std::size_t> chosen;
  if (lines.size() > count) {
    PythonRandom rng(seed);
    chosen = rng.sample_indices(lines.size(), count);
  } else {
    for (std::size_t i = 0; i < lines.size(); ++i) chosen.push_back(i);
  }
  std::vector<TextSample> out;
  for (std::size_t index : chosen) {
    const std::string where = jsonl.string() + ":" + std::to_string(line_numbers[index]);
    try {
      Json obj = parse_json(lines[index], where);
      if (!obj.is_object() || !obj.contains("messages")) throw InputError(where + ": no \"messages\"");
      Json messages = obj["messages"].is_string()
                          ? parse_python_literal(obj["messages"].get<std::string>(), where + ": messages")
                          : obj["messages"];
      if (!messages.is_array()) throw InputError(where + ": messages is not a list");
      std::vector<text::ChatMessage> prompt;
      std::optional<std::string> golden;
      for (const auto& m : messages) {
        if (!m.is_object() || !m.contains("role") || !m.contains("content") || !m["role"].is_string())
          throw InputError(where + ": malformed message");
        const std::string role = m["role"].get<std::string>();
        auto content = message_text(m["content"]);
        if (!content) throw InputError(where + ": message content is neither text nor a text list");
        if (role == "assistant") {
          golden = *content;
        } else if (role == "system" || role == "user") {
          // Reference bug kept: a system message with list content becomes a user message.
          std::string r = (role == "system" && m["content"].is_array()) ? "user" : role;
          prompt.push_back({r, *content});
        }
      }
      if (!golden || prompt.empty()) throw InputError(where + ": no prompt or no assistant message");
      TextSample s;
      s.task = Task::T8;
      s.prefix = text::render_chat(prompt, true);
      s.supervised = *golden + "<|im_end|>";
      s.by_parts = true;
      s.source = line_numbers[index] - 1;
      out.push_back(std::move(s));
      bump(stats, &CorpusStats::used);
    } catch (const InputError&) {
      bump(stats, &CorpusStats::skipped_bad);
    }
  }
  return out;
}

}  // namespace sidr::tasks
