// Option groups declared once: an options struct lists its fields in one static `fields(self, visit)` template,
// and that list gives the command-line flags (cli/option_fields.h), the run record (fields_to_json) and the
// names a test compares. No CLI11 and no libtorch here, so the options headers stay free of both.
//
//   template <class Self, class Visit> static void fields(Self& self, Visit&& visit) {
//     visit(opts::Field{"epochs", "epochs (default 10 / 5)", opts::kHideDefault}, self.epochs);
//     ...
//   }
//
// `Self` is the struct or the const struct, so one list serves parsing (writes) and recording (reads).
#pragma once
#include <filesystem>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "util/json.h"

namespace sidr::opts {

enum Trait : unsigned {
  kRequired = 1u << 0,     // the flag must be given
  kHideDefault = 1u << 1,  // --help shows no default (a sentinel such as 0 = "the stage's default")
  // Changes no result (where the output goes, how it is shown, what is kept beside it): still a flag, but not
  // in the run record.
  kNotRecorded = 1u << 2,
  // A bool that is true unless "--no-NAME" is given (e.g. progress: --no-progress).
  kNegatedFlag = 1u << 3,
};

struct Field {
  // snake_case: the run record's key; the flag is "--" + name with '_' -> '-' ("--no-" + that for kNegatedFlag).
  std::string_view name;
  std::string_view help;
  unsigned traits = 0;
  // More flag spellings of the same option, comma-separated, e.g. "--quiet" beside --no-progress.
  std::string_view aliases = {};

  bool has(Trait trait) const { return (traits & trait) != 0; }
  bool recorded() const { return !has(kNotRecorded); }
};

// "micro_batch" -> "--micro-batch"; "progress" with kNegatedFlag -> "--no-progress".
inline std::string flag_name(const Field& field) {
  std::string flag = field.has(kNegatedFlag) ? "--no-" : "--";
  for (char c : field.name) flag += c == '_' ? '-' : c;
  return flag;
}

inline Json field_json_value(const std::filesystem::path& value) { return value.string(); }
inline Json field_json_value(const std::vector<std::filesystem::path>& value) {
  Json list = Json::array();
  for (const auto& path : value) list.push_back(path.string());
  return list;
}
template <class T>
Json field_json_value(const T& value) {
  return Json(value);
}

// The recorded fields of an options struct as one JSON object, keyed by field name.
template <class Options>
Json fields_to_json(const Options& options) {
  Json json = Json::object();
  Options::fields(options, [&](const Field& field, const auto& value) {
    if (field.recorded()) json[std::string(field.name)] = field_json_value(value);
  });
  return json;
}

// The names of the fields the run record holds, in list order (what the tests compare to_json with).
template <class Options>
std::vector<std::string> recorded_field_names() {
  std::vector<std::string> names;
  const Options options{};
  Options::fields(options, [&](const Field& field, const auto&) {
    if (field.recorded()) names.emplace_back(field.name);
  });
  return names;
}

}  // namespace sidr::opts
