// How SASRec's item distribution is mixed into the SID search: the one check of those settings, shared by
// `evaluate --sasrec-*` and the pipeline's config "fusion" block (each names the fields its own way).
#pragma once
#include <functional>
#include <string>

namespace sidr::eval {

struct FusionSettings {
  double weight = 0.3;        // SASRec's share, in (0, 1); the language model(s) get the rest
  std::string mix = "mean";   // mean (a mixture) | product (of experts)
  double temperature = 1.0;   // divides SASRec's item log-probs first; > 0

  // InputError "<name(field)> must be ..., got ..." for the first bad field; field is "weight", "mix" or
  // "temperature" and name() turns it into the caller's spelling ("--sasrec-weight", "config 'fusion.weight'").
  void validate(const std::function<std::string(const std::string& field)>& name) const;
};

}  // namespace sidr::eval
