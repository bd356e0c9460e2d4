#include "synth/synthesizer.h"

#include <mutex>
#include <vector>

#include <fmt/format.h>

#include "data/catalog.h"
#include "data/dataset.h"
#include "data/interactions.h"
#include "synth/item_enrichment.h"
#include "synth/leak_rules.h"
#include "synth/teacher_prompts.h"
#include "synth/text_clean.h"
#include "synth/user_reasoning.h"
#include "tasks/corpus_write.h"
#include "tasks/narrative_check.h"
#include "util/error.h"
#include "util/progress.h"

namespace sidr::synth {
namespace {

struct ItemJob {
  const data::Item* item;
  std::string paragraph;
};

struct RowJob {
  const data::Interaction* row;
  std::vector<ItemText> history;
  ItemText target;
  Reasoning offline;  // always computed: the stand-in for a failed reply, and the grounding statistics
  std::string reasoning, narrative;
};

ItemText item_text(const std::string& sid, const data::Item* item, const std::string& dataset) {
  ItemText t;
  t.sid = sid;
  if (item) {
    t.title = clean_title(item->title, dataset);
    t.brand = clean_text(item->brand);
  }
  return t;
}

// Any SID written in the text that the index does not know, or "".
std::string unknown_sid(const std::string& text, const data::Catalog& catalog) {
  for (const auto& sid : tasks::sids_in_text(text, catalog.grammar().levels))
    if (!catalog.has_sid(sid)) return "names " + sid + ", which is not in the index";
  return "";
}

// Teacher-written texts for items and rows; offline text where a reply is refused.
void ask_teacher(const SynthOptions& o, const data::Catalog& catalog, std::vector<ItemJob>& items,
                 std::vector<RowJob>& rows, SynthSummary& summary) {
  TeacherOptions t = o.teacher;
  if (t.cache.empty()) t.cache = o.out / "index" / (o.dataset + ".teacher_cache.jsonl");
  TeacherClient client(t);
  std::mutex progress_mutex;
  Progress progress("synthesize (teacher)", items.size() + rows.size(), "texts");
  auto tick = [&] {
    std::lock_guard<std::mutex> lock(progress_mutex);
    if (o.progress) progress.advance();
  };
  parallel_for(items.size(), t.concurrency, [&](std::size_t i) {
    ItemJob& job = items[i];
    const data::Item& it = *job.item;
    ItemFacts facts{it.sid, clean_title(it.title, o.dataset), clean_text(it.brand), clean_text(it.categories),
                    clean_description(it, 200)};
    LeakContext own;  // the item's own SID is allowed, its title and any other SID are not
    own.history_sids = {it.sid};
    own.title_words = words(facts.title);
    const auto analysis = client.complete(item_analysis_prompt(facts), [](const std::string& r) {
      return r.empty() ? std::string("is empty") : std::string();
    });
    std::optional<std::string> paragraph;
    if (analysis)
      paragraph = client.complete(item_integration_prompt(facts, *analysis), [&](const std::string& r) {
        if (r.find(it.sid) == std::string::npos) return "does not name the item's SID " + it.sid;
        std::string why = find_leak(r, own);
        return why.empty() ? unknown_sid(r, catalog) : why;
      });
    if (paragraph) job.paragraph = *paragraph;  // else the offline paragraph stays
    tick();
  });
  parallel_for(rows.size(), t.concurrency, [&](std::size_t i) {
    RowJob& job = rows[i];
    const LeakContext leaks = make_leak_context(job.history, job.target);
    const auto reasoning = client.complete(user_reasoning_prompt(job.history, job.target), [&](const std::string& r) {
      std::string why = find_leak(r, leaks);
      return why.empty() ? unknown_sid(r, catalog) : why;
    });
    if (reasoning) {
      job.reasoning = *reasoning;
      const auto narrative =
          client.complete(narrative_prompt(job.history, job.target, *reasoning), [&](const std::string& r) {
            if (r.find(job.target.sid) == std::string::npos) return "does not name the target SID " + job.target.sid;
            return unknown_sid(r, catalog);
          });
      job.narrative = narrative ? *narrative
                                : offline_narrative(job.history, job.target, job.reasoning, row_seed(o.seed, i));
    }
    tick();
  });
  if (o.progress) progress.finish();
  summary.teacher = client.stats();
}

}  // namespace

void SynthOptions::validate() const {
  if (out.empty()) throw InputError("--out: an output directory is required");
  if (dataset.empty()) throw InputError("--dataset: a dataset name is required");
  if (split != "train" && split != "valid" && split != "test")
    throw InputError("--split: expected train, valid or test, got '" + split + "'");
  if (!teacher.url.empty()) teacher.validate();
}

SynthSummary synthesize(const SynthOptions& o) {
  o.validate();
  const data::DatasetPaths paths{o.data, o.dataset};
  const data::Catalog catalog = data::Catalog::load(paths);
  const bool training = o.split == "train";
  const data::Interactions train = data::Interactions::load(paths.interactions(
      training ? data::Split::Train : o.split == "valid" ? data::Split::Valid : data::Split::Test));
  const std::string category = data::category_phrase(o.dataset);

  SynthSummary summary;
  std::vector<ItemJob> items;
  for (std::size_t i = 0; training && i < catalog.items().size(); ++i) {
    const data::Item& item = catalog.items()[i];
    items.push_back({&item, offline_item_paragraph(item, o.dataset, category, row_seed(o.seed, 1'000'000'000 + i))});
  }
  const std::size_t n_rows = o.max_rows ? std::min(o.max_rows, train.rows.size()) : train.rows.size();
  std::vector<RowJob> rows(n_rows);
  {
    Progress progress("synthesize (offline)", n_rows, "rows");
    for (std::size_t i = 0; i < n_rows; ++i) {
      const data::Interaction& r = train.rows[i];
      RowJob& job = rows[i];
      job.row = &r;
      for (std::size_t h = 0; h < r.history_sids.size(); ++h)
        job.history.push_back(item_text(r.history_sids[h], catalog.find(r.history_ids[h]), o.dataset));
      job.target = item_text(r.item_sid, catalog.find(r.item_id), o.dataset);
      job.offline = offline_reasoning(job.history, job.target, row_seed(o.seed, i));
      job.reasoning = job.offline.text;
      job.narrative = offline_narrative(job.history, job.target, job.reasoning, row_seed(o.seed, i));
      if (o.progress) progress.advance();
    }
    if (o.progress) progress.finish();
  }
  if (!o.teacher.url.empty()) ask_teacher(o, catalog, items, rows, summary);

  OrderedJson doc = OrderedJson::object();
  for (const auto& job : items) {
    const data::Item& it = *job.item;
    doc[it.id] = {{"title", it.title},       {"description", it.description}, {"brand", it.brand},
                  {"categories", it.categories}, {"index", it.sid},           {"llm_stage2", job.paragraph}};
  }
  std::vector<tasks::NarrativeOutRow> out_rows;
  out_rows.reserve(rows.size());
  for (const auto& job : rows) {
    // The last line of defence: nothing leaking is ever written, whoever wrote it.
    const std::string why = find_leak(job.reasoning, make_leak_context(job.history, job.target));
    if (!why.empty())
      throw Error(fmt::format("internal: the reasoning for {} line {} {}", o.split, job.row->line, why));
    out_rows.push_back({*job.row, job.reasoning, job.narrative});
    switch (job.offline.grounding) {
      case Grounding::Words: ++summary.words; break;
      case Grounding::Brand: ++summary.brand; break;
      case Grounding::WordsAndBrand: ++summary.words_and_brand; break;
      case Grounding::NewDirection: ++summary.new_direction; break;
    }
    if (job.offline.fell_back) ++summary.fell_back;
  }
  std::filesystem::create_directories(o.out / "index");
  summary.narrative_file =
      o.out / "index" / (o.dataset + (training ? "" : "." + o.split) + ".integrated_narrative.csv");
  if (training) {
    summary.item_file = o.out / "index" / (o.dataset + ".item_enhanced_v2.json");
    tasks::write_item_enhanced_json(summary.item_file, doc);
  }
  tasks::write_narrative_csv(summary.narrative_file, out_rows);
  summary.items = items.size();
  summary.rows = out_rows.size();
  return summary;
}

std::string format_summary(const SynthSummary& s) {
  auto pct = [&](std::size_t n) { return s.rows ? 100.0 * static_cast<double>(n) / static_cast<double>(s.rows) : 0.0; };
  std::string out = s.item_file.empty() ? "" : fmt::format("wrote {} ({} items)\n", s.item_file.string(), s.items);
  out += fmt::format("wrote {} ({} rows)\n", s.narrative_file.string(), s.rows);
  out += fmt::format(
      "reasoning grounding (offline): shared words {} ({:.1f}%), shared brand {} ({:.1f}%), both {} ({:.1f}%), "
      "new direction {} ({:.1f}%, of which {} because every template leaked)\n",
      s.words, pct(s.words), s.brand, pct(s.brand), s.words_and_brand, pct(s.words_and_brand), s.new_direction,
      pct(s.new_direction), s.fell_back);
  out += fmt::format("rows with shared words {:.1f}%, with a shared brand {:.1f}%\n", pct(s.words + s.words_and_brand),
                     pct(s.brand + s.words_and_brand));
  const TeacherStats& t = s.teacher;
  if (t.requests)
    out += fmt::format(
        "teacher: {} texts asked, {} from the cache, {} calls ({} retries), {} transport errors, {} HTTP errors, "
        "{} malformed, {} rejected (leaks), {} accepted, {} replaced by offline text\n",
        t.requests, t.cache_hits, t.calls, t.retries, t.transport_errors, t.http_errors, t.malformed, t.rejected,
        t.accepted, t.replaced);
  return out;
}

}  // namespace sidr::synth
