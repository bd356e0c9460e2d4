// Text-level sample builders for every task (no tokenizer needed): each returns TextSamples in source order,
// rendered with Qwen3's chat template exactly as the reference does (sidreasoner.md §3.1-§3.2, §4).
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "data/catalog.h"
#include "data/interactions.h"
#include "tasks/prompts.h"
#include "tasks/task.h"

namespace sidr::tasks {

// What every builder needs besides its rows.
struct TaskContext {
  const data::Catalog* catalog = nullptr;  // titles and SIDs (T2, T3, T5)
  std::string category;                    // the category phrase, data::category_phrase(dataset name)
  PromptStyle style = PromptStyle::Reference;
  std::uint64_t seed = 42;                 // T4 instruction draws (random.seed(seed); randint(0, 10) per row)
};

// Splits a rendered chat at the last occurrence of `target` (the reference's rfind): prefix = before it,
// supervised = target (or everything from it to the end when `to_end`), suffix = the rest.
// InputError if the target does not occur in the text.
TextSample split_at_target(Task task, const std::string& rendered, const std::string& target, bool to_end);

// Renders [system?, user, assistant(target)] with the chat template and splits at the target (Stage 1 chat).
TextSample chat_sample(Task task, const std::string& system, const std::string& user, const std::string& target);

// Sequence style: build_t1_sequences(rows); otherwise one chat sample per row.
std::vector<TextSample> build_t1(const data::Interactions& rows, const TaskContext& ctx);
// The sequence style's T1: a user's rows whose histories start at the same item are prefixes of that user's
// longest such row, so one sample "<|im_start|>" + SID_0 SID_1 ... SID_n (no separators) teaches them all:
// its supervised span is every target of the run, each seen after exactly its own row's history. Every row
// is supervised exactly once with its own context (duplicates and rows that fit no run get samples of their
// own). Shipped train split: 8,943 samples for 36,259 rows, 7.9x fewer tokens than compact T1. Samples are
// ordered by their longest row.
std::vector<TextSample> build_t1_sequences(const data::Interactions& rows);
// sid2title pairs then title2sid pairs, Python-dict semantics (first-insertion order, last writer wins).
std::vector<TextSample> build_t2(const TaskContext& ctx);
std::vector<TextSample> build_t2_sid2title(const TaskContext& ctx);
std::vector<TextSample> build_t2_title2sid(const TaskContext& ctx);
std::vector<TextSample> build_t3(const data::Interactions& rows, const TaskContext& ctx);
// Draws one instruction index per row, in row order, from PythonRandom(ctx.seed).
std::vector<TextSample> build_t4(const data::Interactions& rows, const TaskContext& ctx);
std::vector<std::size_t> t4_instruction_indices(std::size_t rows, std::uint64_t seed);
std::vector<TextSample> build_t5(const data::Interactions& rows, const TaskContext& ctx);

// ", ".join(history_item_sid)
std::string history_sids(const data::Interaction& row, const PromptSet& prompts);

}  // namespace sidr::tasks
