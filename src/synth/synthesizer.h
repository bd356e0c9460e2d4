// `sidreasoner synthesize`: writes the enriched corpus (sidreasoner.md §2.5) for one dataset:
// <out>/index/<Cat>.item_enhanced_v2.json (one llm_stage2 paragraph per item) and
// <out>/index/<Cat>.integrated_narrative.csv (one row per train row: reasoning_path, integrated_narrative);
// with split valid/test, <out>/index/<Cat>.<split>.integrated_narrative.csv for that split's rows instead.
// Offline templates by default; with a teacher URL, an OpenAI-compatible model writes the texts and the offline
// generator stands in for every reply that fails or leaks (synth/teacher.h).
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>

#include "synth/teacher.h"

namespace sidr::synth {

struct SynthOptions {
  std::filesystem::path data = "data/Amazon";       // dataset root in the reference layout
  std::string dataset = "Industrial_and_Scientific";  // category name
  std::filesystem::path out;                          // output root; files go to <out>/index/
  std::uint64_t seed = 42;                            // picks the templates (per item and per row)
  std::size_t max_rows = 0;                           // narrative rows: the first N rows of the split; 0 = all
  // The split whose rows get reasoning: "train" (the training corpus, and the item paragraphs) or "valid" /
  // "test" (<Cat>.<split>.integrated_narrative.csv only: think mode's oracle thoughts and word recall).
  std::string split = "train";
  bool progress = true;                               // a progress bar / periodic lines on stderr
  TeacherOptions teacher;                             // url empty: offline only

  void validate() const;
};

struct SynthSummary {
  std::filesystem::path item_file, narrative_file;
  std::size_t items = 0;
  std::size_t rows = 0;
  std::size_t words = 0, brand = 0, words_and_brand = 0, new_direction = 0;  // grounding of the reasoning
  std::size_t fell_back = 0;  // rows whose every template leaked (written as the new-direction statement)
  TeacherStats teacher;       // all zero offline
};

SynthSummary synthesize(const SynthOptions& options);

// The summary as the command prints it (several lines, shares in percent).
std::string format_summary(const SynthSummary& summary);

}  // namespace sidr::synth
