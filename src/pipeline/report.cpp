#include "pipeline/report.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <regex>

#include <fmt/format.h>

#include "data/catalog.h"
#include "data/dataset.h"
#include "data/interactions.h"
#include "pipeline/published.h"
#include "pipeline/svg_plot.h"
#include "util/file_io.h"
#include "util/error.h"
#include "util/json.h"

namespace sidr::pipeline {
namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kTableColumns = {"HR@3", "NDCG@3", "HR@5", "NDCG@5", "HR@10", "NDCG@10"};

void find_ranking_metrics(const Json& node, std::map<std::string, double>& out) {
  static const std::regex pattern("^(hr|ndcg)@([0-9]+)$", std::regex::icase);
  if (!node.is_object()) return;
  for (auto it = node.begin(); it != node.end(); ++it) {
    std::smatch match;
    const std::string key = it.key();
    if (it->is_number() && std::regex_match(key, match, pattern)) {
      std::string name = match[1].str();
      for (auto& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      out.emplace(name + "@" + match[2].str(), it->get<double>());
    } else if (it->is_object()) {
      find_ranking_metrics(*it, out);
    }
  }
}

struct Curves {
  std::vector<Series> train;
  std::vector<Series> valid;
};

// Training curve: lines with "step" and "loss". Validation: lines with "epoch" and keys ending in "loss"
// other than "loss" itself (eval_loss, title2sid_loss, ...).
Curves read_curves(const fs::path& metrics_jsonl, const std::string& prefix) {
  Curves curves;
  std::ifstream in(metrics_jsonl);
  if (!in) return curves;
  Series train{prefix + "train loss", {}};
  std::map<std::string, Series> valid;
  std::string line;
  while (std::getline(in, line)) {
    Json row;
    try {
      row = Json::parse(line);
    } catch (...) {
      continue;  // a line cut by a kill is skipped
    }
    if (!row.is_object()) continue;
    bool is_eval = row.contains("epoch") && !row.contains("lr");
    if (!is_eval && row.contains("step") && row.contains("loss") && row["loss"].is_number())
      train.points.emplace_back(row["step"].get<double>(), row["loss"].get<double>());
    if (is_eval) {
      for (auto it = row.begin(); it != row.end(); ++it) {
        const std::string& key = it.key();
        if (it->is_number() && key.size() > 4 && key.compare(key.size() - 4, 4, "loss") == 0) {
          auto& s = valid[key];
          s.name = prefix + key;
          s.points.emplace_back(row["epoch"].get<double>(), it->get<double>());
        }
      }
    }
  }
  if (!train.points.empty()) curves.train.push_back(std::move(train));
  for (auto& [key, s] : valid) curves.valid.push_back(std::move(s));
  return curves;
}

std::string cell(const ResultRow& row, const std::string& key) {
  auto it = row.metrics.find(key);
  return it == row.metrics.end() ? "-" : fmt::format("{:.4f}", it->second);
}

std::string html_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else out += c;
  }
  return out;
}

}  // namespace

std::vector<std::string> mode_dirs(const fs::path& run_dir, const std::string& split) {
  std::vector<std::string> modes;
  const std::string prefix = "eval_" + split + "_";
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(run_dir, error)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) != 0 || !fs::exists(entry.path() / "metrics.json")) continue;
    const std::string mode = name.substr(prefix.size());
    if (mode != "lm" && mode != "single") modes.push_back(mode);
  }
  std::sort(modes.begin(), modes.end());
  return modes;
}

std::string example_users_markdown(const fs::path& run_dir, const std::string& dataset, const fs::path& data_root,
                                   std::size_t users) {
  // The think-mode evaluation whose rows carry a generated thought ("cot"), the reference decode first.
  fs::path predictions;
  std::string mode;
  for (const auto& candidate : mode_dirs(run_dir, "test")) {
    const fs::path path = run_dir / ("eval_test_" + candidate) / "predictions.json";
    if (!fs::exists(path)) continue;
    const Json rows = read_json_file(path);
    if (!rows.is_array() || rows.empty() || !rows[0].contains("cot") || candidate.find("oracle") != std::string::npos)
      continue;
    if (predictions.empty() || candidate == "think") predictions = path, mode = candidate;
  }
  if (predictions.empty()) return "";
  const Json rows = read_json_file(predictions);
  const data::DatasetPaths paths{data_root, dataset};
  const data::Catalog catalog = data::Catalog::load(paths);
  const auto test = data::Interactions::load(paths.interactions(data::Split::Test));
  auto title_of_sid = [&](const std::string& sid) {
    const auto& ids = catalog.items_with_sid(sid);
    return ids.empty() ? std::string("(no item)") : catalog.at(ids.front()).title;
  };
  std::string md = fmt::format("\n## Five test users ({} mode)\n\n", mode);
  const std::size_t n = std::min(rows.size(), test.rows.size());
  for (std::size_t u = 0; u < users && u < n; ++u) {
    const std::size_t i = u * n / users;  // spread over the split, the same users in every run
    const Json& row = rows[i];
    const auto& interaction = test.rows[i];
    md += fmt::format("### User {} (test row {})\n\n**History** (oldest first):\n", interaction.user_id, i);
    for (const auto& title : interaction.history_titles) md += "- " + title + "\n";
    md += "\n**Reasoning:**\n\n> " + row.value("cot", std::string()) + "\n\n**Top 5:**\n";
    bool hit = false;
    const Json predict = row.value("predict", Json::array());
    for (std::size_t k = 0; k < predict.size() && k < 5; ++k) {
      const std::string sid = predict[k].get<std::string>();
      const bool is_target = sid == interaction.item_sid;
      hit = hit || is_target;
      md += fmt::format("{}. {}{}\n", k + 1, title_of_sid(sid), is_target ? " **(the target)**" : "");
    }
    md += fmt::format("\n**{}** — the target: {}\n\n", hit ? "Hit" : "Miss", interaction.item_title);
  }
  return md;
}

std::string combination_note(const fs::path& metrics_json) {
  try {
    return combination_note(read_json_file(metrics_json));
  } catch (const InputError&) {
    return "";
  }
}

std::string combination_note(const Json& m) {
  if (!m.is_object()) return "";
  std::vector<std::string> parts;
  if (m.contains("ensemble") && m["ensemble"].is_array() && !m["ensemble"].empty())
    parts.push_back(fmt::format("{} models", m["ensemble"].size() + 1));
  if (m.contains("sasrec") && m["sasrec"].is_string()) {
    std::string run = fs::path(m["sasrec"].get<std::string>()).filename().string();
    if (run.rfind("sasrec_", 0) == 0) {
      run = run.substr(7);
      for (auto& ch : run) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      run = "SASRec " + run;
    }
    // "mixed in at 0.3" (a mixture) or "multiplied in at 0.2" (a product of experts), then any temperature.
    const bool product = m.value("sasrec_mix", std::string("mean")) == "product";
    std::string part =
        fmt::format("{} {} at {}", run, product ? "multiplied in" : "mixed in", m.value("sasrec_weight", 0.0));
    const double temperature = m.value("sasrec_temperature", 1.0);
    if (temperature != 1.0) part += fmt::format(", temperature {}", temperature);
    parts.push_back(part);
  }
  if (parts.empty()) return "";
  std::string out = " [";
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? " + " : "") + parts[i];
  return out + "]";
}

std::map<std::string, double> ranking_metrics(const Json& metrics_json) {
  std::map<std::string, double> out;
  find_ranking_metrics(metrics_json, out);
  return out;
}

std::vector<ResultRow> collect_results(const fs::path& run_dir, const std::string& dataset) {
  std::vector<ResultRow> rows;
  const std::vector<std::pair<std::string, std::string>> measured = {
      {"eval_test", "sidreasoner (ours, test)"},
      {"eval_test_lm", "sidreasoner without SASRec mixing (test)"},
      {"eval_test_single", "sidreasoner, one model alone (test)"},
      {"eval_valid", "sidreasoner (ours, valid)"},
      {"sasrec_bce", "SASRec BCE (measured here, test)"},
      {"sasrec_ce", "SASRec CE (measured here, test)"},
  };
  for (const auto& [dir, name] : measured) {
    const fs::path path = run_dir / dir / "metrics.json";
    if (!fs::exists(path)) continue;
    const Json json = read_json_file(path);  // read once: the metrics and what the evaluation combined
    auto metrics = ranking_metrics(json);
    if (!metrics.empty()) rows.push_back({name + combination_note(json), std::move(metrics), "measured here"});
  }
  // Decoding modes beside the plain evaluation (pipeline "eval_modes"): eval_<split>_<mode>.
  for (const std::string split : {"test", "valid"}) {
    for (const auto& mode : mode_dirs(run_dir, split)) {
      const Json json = read_json_file(run_dir / ("eval_" + split + "_" + mode) / "metrics.json");
      auto metrics = ranking_metrics(json);
      if (!metrics.empty())
        rows.push_back({fmt::format("sidreasoner, {} mode ({})", mode, split) + combination_note(json),
                        std::move(metrics), "measured here"});
    }
  }
  for (const auto& published : published_results(dataset)) {
    ResultRow row{published.method + " (published)", {}, "published"};
    for (std::size_t i = 0; i < kTableColumns.size(); ++i) row.metrics[kTableColumns[i]] = published.values[i];
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string format_results_table(const std::vector<ResultRow>& rows) {
  std::size_t width = 10;
  for (const auto& row : rows) width = std::max(width, row.name.size());
  std::string out = fmt::format("{:<{}}", "method", width);
  for (const auto& column : kTableColumns) out += fmt::format("  {:>8}", column);
  out += "\n";
  for (const auto& row : rows) {
    out += fmt::format("{:<{}}", row.name, width);
    for (const auto& column : kTableColumns) out += fmt::format("  {:>8}", cell(row, column));
    out += "\n";
  }
  return out;
}

void write_report(const fs::path& run_dir, const std::string& dataset) {
  auto rows = collect_results(run_dir, dataset);
  Curves curves;
  for (const auto& [dir, prefix] : std::vector<std::pair<std::string, std::string>>{{"stage1", "stage 1 "},
                                                                                     {"stage2", "stage 2 "}}) {
    auto c = read_curves(run_dir / dir / "metrics.jsonl", prefix);
    curves.train.insert(curves.train.end(), c.train.begin(), c.train.end());
    curves.valid.insert(curves.valid.end(), c.valid.begin(), c.valid.end());
  }
  std::string train_svg = svg_line_chart("Training loss", "step", "loss (label-token mean)", curves.train);
  std::string valid_svg = svg_line_chart("Validation losses", "epoch", "loss", curves.valid);
  write_file_atomic(run_dir / "train_loss.svg", train_svg);
  write_file_atomic(run_dir / "valid_loss.svg", valid_svg);

  Json timings = fs::exists(run_dir / "timings.json") ? read_json_file(run_dir / "timings.json") : Json::object();
  std::string config = fs::exists(run_dir / "config.json") ? read_file(run_dir / "config.json") : "{}";

  std::string md = fmt::format("# sidreasoner run report\n\nRun directory: `{}`, dataset: {}\n\n## Results\n\n",
                               run_dir.string(), dataset);
  md += "| method |";
  for (const auto& c : kTableColumns) md += " " + c + " |";
  md += "\n|---|";
  for (std::size_t i = 0; i < kTableColumns.size(); ++i) md += "---|";
  md += "\n";
  for (const auto& row : rows) {
    md += "| " + row.name + " |";
    for (const auto& c : kTableColumns) md += " " + cell(row, c) + " |";
    md += "\n";
  }
  md += "\nHR@K: share of rows whose target SID is among the first K distinct predicted SIDs; NDCG@K: mean of "
        "1/log2(rank+2) over hits. Ours: constrained beam search, plain mode.\n\n## Curves\n\n"
        "![training loss](train_loss.svg)\n\n![validation losses](valid_loss.svg)\n\n## Timings and memory\n\n"
        "| stage | seconds | peak RSS (MiB) | status |\n|---|---|---|---|\n";
  std::string timing_rows_html;
  for (auto it = timings.begin(); it != timings.end(); ++it) {
    const Json& t = *it;
    std::string seconds = t.contains("seconds") ? fmt::format("{:.1f}", t["seconds"].get<double>()) : "-";
    std::string rss = t.contains("peak_rss_mib") ? fmt::format("{:.0f}", t["peak_rss_mib"].get<double>()) : "-";
    std::string status = t.value("status", "");
    md += fmt::format("| {} | {} | {} | {} |\n", it.key(), seconds, rss, status);
    timing_rows_html +=
        fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n", it.key(), seconds, rss, status);
  }
  try {
    const Json parsed = Json::parse(config);
    if (parsed.contains("data")) md += example_users_markdown(run_dir, dataset, parsed["data"].get<std::string>());
  } catch (const std::exception& error) {
    md += fmt::format("\n(The example users could not be shown: {})\n", error.what());
  }
  md += "\n## Configuration\n\n```json\n" + config + "\n```\n";
  write_file_atomic(run_dir / "report.md", md);

  std::string html = "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>sidreasoner report</title>\n"
                     "<style>body{font-family:sans-serif;max-width:1000px;margin:2em auto}table{border-collapse:"
                     "collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}td:first-child,"
                     "th:first-child{text-align:left}</style></head><body>\n";
  html += fmt::format("<h1>sidreasoner run report</h1><p>Run directory <code>{}</code>, dataset {}</p>\n",
                      html_escape(run_dir.string()), html_escape(dataset));
  html += "<h2>Results</h2><table><tr><th>method</th>";
  for (const auto& c : kTableColumns) html += "<th>" + c + "</th>";
  html += "</tr>\n";
  for (const auto& row : rows) {
    html += "<tr><td>" + html_escape(row.name) + "</td>";
    for (const auto& c : kTableColumns) html += "<td>" + cell(row, c) + "</td>";
    html += "</tr>\n";
  }
  html += "</table>\n<h2>Curves</h2>\n" + train_svg + valid_svg;
  html += "<h2>Timings and memory</h2><table><tr><th>stage</th><th>seconds</th><th>peak RSS (MiB)</th>"
          "<th>status</th></tr>\n" + timing_rows_html + "</table>\n";
  html += "<h2>Configuration</h2><pre>" + html_escape(config) + "</pre>\n</body></html>\n";
  write_file_atomic(run_dir / "report.html", html);
}

}  // namespace sidr::pipeline
