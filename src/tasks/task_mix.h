// Training and validation sets (sidreasoner.md §3.3-§3.4, §4): Stage 1 = T1-T5 always, T6/T7 when their files
// exist, T8 when a file is given; concatenated, optionally re-weighted, then shuffled with a seed.
// Stage 2 = reasoning activation over the narrative CSV. Validation = T1 on valid, title2sid, sid2title.
#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "data/catalog.h"
#include "data/dataset.h"
#include "data/interactions.h"
#include "tasks/builders.h"
#include "tasks/corpus.h"
#include "tasks/encode.h"
#include "tasks/task.h"
#include "text/tokenizer.h"

namespace sidr::tasks {

struct TaskOptions {
  PromptStyle style = PromptStyle::Reference;
  std::uint64_t seed = 42;        // T4 instruction draws, T8 sampling, mixing and the final shuffle
  bool shuffle = true;            // shuffle the concatenated set (Python random.shuffle order with `seed`)
  EncodeOptions encode;           // cutoffs (1024; T8 3072), keep_text
  std::size_t general_samples = 60000;   // T8 sample size (all lines if fewer)
  std::filesystem::path item_corpus;     // T6 file; empty: <root>/index/<name>.item_enhanced_v2.json if present
  std::filesystem::path user_corpus;     // T7/Stage 2 file; empty: <root>/index/<name>.integrated_narrative.csv
  std::filesystem::path general_chats;   // T8 file; empty: no T8
  bool use_item_corpus = true;           // T6 when its file exists
  bool use_user_corpus = true;           // T7 when its file exists
  // Per-group mixing weight ("T1".."T8"); absent = 1. A weight w keeps floor(w) full copies plus a seeded
  // random fraction (w - floor(w)) of the group's samples; 0 drops the group. Off (all 1) by default.
  std::map<std::string, double> weights;
  // Stage 2 only: plain T1 samples from the train split (the Stage 1 T1 prompt with its empty think block, in
  // `style`) put beside the reasoning samples with this weight (floor(w) copies + a seeded fraction, as above),
  // so that the model keeps its non-thinking path. The two modes differ only by their prompts. 0 (default):
  // the reference's reasoning-only Stage 2.
  double plain_weight = 0.0;

  void validate() const;  // known group names, finite weights >= 0, cutoffs >= 1
};

// "T1=1,T2=0.5,T6=0" -> weights; InputError on a bad entry.
std::map<std::string, double> parse_weights(const std::string& spec);

struct GroupCount {
  std::string group;          // "T1".."T8", "reason"
  std::size_t samples = 0;    // after weighting
  std::size_t source_rows = 0;
};

struct TextSet {
  std::vector<TextSample> samples;
  std::vector<GroupCount> counts;  // in task order
  CorpusStats corpus;              // skipped corpus rows (T6/T7/T8/reason)
};

struct SampleSet {
  std::vector<Sample> samples;
  std::vector<GroupCount> counts;
  CorpusStats corpus;
  EncodeStats stats;
};

// Where each group's builder reads from (the caller resolves the files).
struct GroupSources {
  const data::Interactions* rows = nullptr;  // T1, T3-T5 (any split)
  std::filesystem::path item_corpus;         // T6
  std::filesystem::path user_corpus;         // T7, reason
  std::filesystem::path general_chats;       // T8
  std::size_t general_samples = TaskOptions{}.general_samples;  // T8 sample size
};

// The one dispatch from a group name ("T1".."T8", "reason") to its builder, before weighting; used by the
// training mix and by `tasks render`. InputError for an unknown name or a missing source.
std::vector<TextSample> build_group(const std::string& group, const TaskContext& ctx, const GroupSources& sources,
                                    CorpusStats* stats = nullptr);

// Resolved corpus paths (explicit option, else the reference location if the file exists, else empty).
std::filesystem::path resolve_item_corpus(const data::DatasetPaths& paths, const TaskOptions& options);
std::filesystem::path resolve_user_corpus(const data::DatasetPaths& paths, const TaskOptions& options);

// Stage 1 training set as text (train split).
TextSet build_stage1_text(const data::DatasetPaths& paths, const data::Catalog& catalog, const TaskOptions& options);
// Stage 2 training set as text: the reasoning samples, plus T1 (train split) when plain_weight > 0; InputError
// if there is no narrative CSV.
TextSet build_stage2_text(const data::DatasetPaths& paths, const TaskOptions& options);

// Tokenized sets. The tokenizer must already hold the SID tokens (see add_sid_tokens).
SampleSet encode_set(const TextSet& set, const text::Tokenizer& tokenizer, const EncodeOptions& options);
SampleSet build_stage1(const data::DatasetPaths& paths, const data::Catalog& catalog,
                       const text::Tokenizer& tokenizer, const TaskOptions& options);
SampleSet build_stage2(const data::DatasetPaths& paths, const text::Tokenizer& tokenizer, const TaskOptions& options);

struct ValidationSets {
  SampleSet t1;         // T1 on the valid split: the early-stopping loss
  SampleSet title2sid;  // T2 title -> SID (same items as training)
  SampleSet sid2title;  // T2 SID -> title
};
ValidationSets build_validation(const data::DatasetPaths& paths, const data::Catalog& catalog,
                                const text::Tokenizer& tokenizer, const TaskOptions& options);

// The reference's TokenExtender: adds the catalog's level tokens in plain string order, skipping those already
// present. Returns how many were added.
std::size_t add_sid_tokens(text::Tokenizer& tokenizer, const data::Catalog& catalog);

}  // namespace sidr::tasks
