// The tokenizing half of task_mix.h (kept apart so the text-level builders link without a tokenizer).
#include "data/interactions.h"
#include "tasks/builders.h"
#include "tasks/task_mix.h"
#include "util/progress.h"

namespace sidr::tasks {

SampleSet encode_set(const TextSet& set, const text::Tokenizer& tokenizer, const EncodeOptions& options) {
  SampleEncoder encoder(tokenizer, options);
  SampleSet out;
  out.counts = set.counts;
  out.corpus = set.corpus;
  out.samples.reserve(set.samples.size());
  Progress progress("tokenize", set.samples.size(), "samples");
  for (const auto& s : set.samples) {
    out.samples.push_back(encoder.encode(s));
    progress.advance();
  }
  progress.finish();
  out.stats = encoder.stats();
  return out;
}

SampleSet build_stage1(const data::DatasetPaths& paths, const data::Catalog& catalog,
                       const text::Tokenizer& tokenizer, const TaskOptions& options) {
  return encode_set(build_stage1_text(paths, catalog, options), tokenizer, options.encode);
}

SampleSet build_stage2(const data::DatasetPaths& paths, const text::Tokenizer& tokenizer, const TaskOptions& options) {
  return encode_set(build_stage2_text(paths, options), tokenizer, options.encode);
}

ValidationSets build_validation(const data::DatasetPaths& paths, const data::Catalog& catalog,
                                const text::Tokenizer& tokenizer, const TaskOptions& options) {
  options.validate();
  TaskContext ctx{&catalog, data::category_phrase(paths.name), options.style, options.seed};
  const auto valid = data::Interactions::load(paths.interactions(data::Split::Valid));
  auto one = [&](const char* group, std::vector<TextSample> samples) {
    TextSet set;
    GroupCount count;
    count.group = group;
    count.samples = count.source_rows = samples.size();
    set.counts.push_back(count);
    set.samples = std::move(samples);
    return encode_set(set, tokenizer, options.encode);
  };
  ValidationSets out;
  out.t1 = one("T1", build_t1(valid, ctx));
  out.title2sid = one("T2", build_t2_title2sid(ctx));
  out.sid2title = one("T2", build_t2_sid2title(ctx));
  return out;
}

std::size_t add_sid_tokens(text::Tokenizer& tokenizer, const data::Catalog& catalog) {
  return tokenizer.add_tokens(catalog.sorted_level_tokens());
}

}  // namespace sidr::tasks
