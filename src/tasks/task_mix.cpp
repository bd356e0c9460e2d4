#include "tasks/task_mix.h"

#include <cmath>

#include "data/interactions.h"
#include "tasks/builders.h"
#include "tasks/narrative_check.h"
#include "tasks/python_random.h"
#include "util/error.h"
#include "util/strings.h"

namespace sidr::tasks {
namespace {

const std::vector<std::string>& known_groups() {
  static const std::vector<std::string> groups = {"T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8"};
  return groups;
}

double weight_of(const TaskOptions& options, const std::string& group) {
  auto it = options.weights.find(group);
  return it == options.weights.end() ? 1.0 : it->second;
}

// floor(w) full copies plus a seeded random subset of round(frac(w) * n) samples, in source order.
std::vector<TextSample> apply_weight(std::vector<TextSample> samples, double weight, std::uint64_t seed) {
  if (weight == 1.0) return samples;
  const auto copies = static_cast<std::size_t>(std::floor(weight));
  const double fraction = weight - static_cast<double>(copies);
  std::vector<TextSample> out;
  for (std::size_t c = 0; c < copies; ++c) out.insert(out.end(), samples.begin(), samples.end());
  const auto extra = static_cast<std::size_t>(std::llround(fraction * static_cast<double>(samples.size())));
  if (extra > 0) {
    PythonRandom rng(seed);
    auto chosen = rng.sample_indices(samples.size(), extra);
    std::sort(chosen.begin(), chosen.end());
    for (std::size_t i : chosen) out.push_back(samples[i]);
  }
  return out;
}

void add_group(TextSet& set, const std::string& group, std::vector<TextSample> samples, double weight,
               std::uint64_t seed, std::size_t group_index) {
  GroupCount count;
  count.group = group;
  count.source_rows = samples.size();
  auto weighted = apply_weight(std::move(samples), weight, seed + 1000 + group_index);
  count.samples = weighted.size();
  set.counts.push_back(count);
  set.samples.insert(set.samples.end(), std::make_move_iterator(weighted.begin()),
                     std::make_move_iterator(weighted.end()));
}

void shuffle_set(TextSet& set, std::uint64_t seed) {
  PythonRandom rng(seed);
  const auto order = rng.shuffled_indices(set.samples.size());
  std::vector<TextSample> shuffled;
  shuffled.reserve(order.size());
  for (std::size_t i : order) shuffled.push_back(std::move(set.samples[i]));
  set.samples = std::move(shuffled);
}

void add_corpus(CorpusStats& to, const CorpusStats& from) {
  to.used += from.used;
  to.skipped_missing += from.skipped_missing;
  to.skipped_unclosed += from.skipped_unclosed;
  to.skipped_bad += from.skipped_bad;
}

}  // namespace

void TaskOptions::validate() const {
  encode.validate();
  for (const auto& [group, weight] : weights) {
    const auto& groups = known_groups();  // Stage 1's groups; "reason" weights Stage 2's reasoning samples
    if (group != "reason" && std::find(groups.begin(), groups.end(), group) == groups.end())
      throw InputError("task weight for unknown task '" + group + "' (expected T1..T8, or reason for Stage 2's reasoning samples)");
    if (!std::isfinite(weight) || weight < 0)
      throw InputError("task weight for " + group + " must be a finite number >= 0, got " + std::to_string(weight));
  }
  if (!std::isfinite(plain_weight) || plain_weight < 0)
    throw InputError("plain weight must be a finite number >= 0, got " + std::to_string(plain_weight));
}

std::map<std::string, double> parse_weights(const std::string& spec) {
  std::map<std::string, double> weights;
  for (const auto& raw : split(spec, ',')) {
    const std::string entry(trim(raw));
    if (entry.empty()) continue;
    const auto eq = entry.find('=');
    if (eq == std::string::npos) throw InputError("task weight '" + entry + "' must look like T1=0.5");
    const std::string group(trim(std::string_view(entry).substr(0, eq)));
    const std::string value(trim(std::string_view(entry).substr(eq + 1)));
    char* end = nullptr;
    const double w = std::strtod(value.c_str(), &end);
    if (value.empty() || *end != '\0') throw InputError("task weight '" + entry + "': '" + value + "' is not a number");
    weights[group] = w;
  }
  TaskOptions check;
  check.weights = weights;
  check.validate();
  return weights;
}

std::vector<TextSample> build_group(const std::string& group, const TaskContext& ctx, const GroupSources& sources,
                                    CorpusStats* stats) {
  auto need_rows = [&]() -> const data::Interactions& {
    if (sources.rows == nullptr) throw InputError(group + " needs interaction rows");
    return *sources.rows;
  };
  auto need_file = [&](const std::filesystem::path& file, const char* what) -> const std::filesystem::path& {
    if (file.empty()) throw InputError(group + " needs " + what);
    return file;
  };
  if (group == "T1") return build_t1(need_rows(), ctx);
  if (group == "T2") return build_t2(ctx);
  if (group == "T3") return build_t3(need_rows(), ctx);
  if (group == "T4") return build_t4(need_rows(), ctx);
  if (group == "T5") return build_t5(need_rows(), ctx);
  if (group == "T6") return build_t6(need_file(sources.item_corpus, "the item corpus"), stats);
  if (group == "T7")
    return build_t7(NarrativeFile::load(need_file(sources.user_corpus, "the narrative CSV")), stats);
  if (group == "reason")
    return build_reason(NarrativeFile::load(need_file(sources.user_corpus, "the narrative CSV")), ctx.style, stats);
  if (group == "T8")
    return build_t8(need_file(sources.general_chats, "the general chat file"), sources.general_samples, ctx.seed,
                    stats);
  throw InputError("unknown task group '" + group + "' (expected T1..T8 or reason)");
}

std::filesystem::path resolve_item_corpus(const data::DatasetPaths& paths, const TaskOptions& options) {
  if (!options.item_corpus.empty()) return options.item_corpus;
  auto p = paths.item_enriched_json();
  return std::filesystem::exists(p) ? p : std::filesystem::path();
}

std::filesystem::path resolve_user_corpus(const data::DatasetPaths& paths, const TaskOptions& options) {
  if (!options.user_corpus.empty()) return options.user_corpus;
  auto p = paths.narrative_csv();
  return std::filesystem::exists(p) ? p : std::filesystem::path();
}

TextSet build_stage1_text(const data::DatasetPaths& paths, const data::Catalog& catalog, const TaskOptions& options) {
  options.validate();
  TaskContext ctx{&catalog, data::category_phrase(paths.name), options.style, options.seed};
  const auto train = data::Interactions::load(paths.interactions(data::Split::Train));
  TextSet set;
  auto wanted = [&](const char* group) { return weight_of(options, group) > 0; };
  GroupSources sources;
  sources.rows = &train;
  sources.item_corpus = options.use_item_corpus ? resolve_item_corpus(paths, options) : std::filesystem::path();
  sources.user_corpus = options.use_user_corpus ? resolve_user_corpus(paths, options) : std::filesystem::path();
  sources.general_chats = options.general_chats;
  sources.general_samples = options.general_samples;
  // T6-T8 join only when their file is there; `index` (the group's place in known_groups) seeds its weighting.
  const std::map<std::string, const std::filesystem::path*> needs_file = {
      {"T6", &sources.item_corpus}, {"T7", &sources.user_corpus}, {"T8", &sources.general_chats}};
  for (std::size_t index = 0; index < known_groups().size(); ++index) {
    const std::string& group = known_groups()[index];
    auto file = needs_file.find(group);
    if (file != needs_file.end() && file->second->empty()) continue;
    if (!wanted(group.c_str())) continue;
    CorpusStats stats;
    add_group(set, group, build_group(group, ctx, sources, &stats), weight_of(options, group), options.seed, index);
    add_corpus(set.corpus, stats);
  }
  if (options.shuffle) shuffle_set(set, options.seed);
  return set;
}

TextSet build_stage2_text(const data::DatasetPaths& paths, const TaskOptions& options) {
  options.validate();
  const auto file = resolve_user_corpus(paths, options);
  if (file.empty())
    throw InputError("stage 2 needs the narrative CSV " + paths.narrative_csv().string() +
                     " (columns history_item_sid, item_sid, reasoning_path); it does not exist");
  // Bad rows (a reasoning naming its target, SIDs not in the index) stop here, before any training.
  check_narrative(NarrativeFile::load(file), data::Catalog::load_index_and_items(paths.index_json(), paths.item_json()));
  TextSet set;
  TaskContext ctx;
  ctx.category = data::category_phrase(paths.name);
  ctx.style = options.style;
  ctx.seed = options.seed;
  GroupSources sources;
  sources.user_corpus = file;
  // Weighted like a Stage 1 group ("reason=0.2" keeps a seeded fifth), group index 8 (after T1..T8).
  add_group(set, "reason", build_group("reason", ctx, sources, &set.corpus), weight_of(options, "reason"),
            options.seed, 8);
  if (options.plain_weight > 0) {
    // Plain mode kept alive: T1 exactly as Stage 1 builds it (same prompt, empty think block, target-only
    // labels), weighted as Stage 1 weights T1 (same seed offset, group index 0).
    const auto train = data::Interactions::load(paths.interactions(data::Split::Train));
    sources.rows = &train;
    add_group(set, "T1", build_group("T1", ctx, sources), options.plain_weight, options.seed, 0);
  }
  if (options.shuffle) shuffle_set(set, options.seed);
  return set;
}

}  // namespace sidr::tasks
