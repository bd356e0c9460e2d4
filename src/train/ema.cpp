#include "train/ema.h"
#include "train/train_state.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>  // fmt::join (in ranges.h from fmt 11)

#include "util/error.h"

namespace sidr::train {

ParameterEma::ParameterEma(std::vector<torch::Tensor> parameters, double decay)
    : parameters_(std::move(parameters)), decay_(decay) {
  torch::NoGradGuard no_grad;
  average_.reserve(parameters_.size());
  for (const auto& p : parameters_) average_.push_back(p.detach().clone());
}

void ParameterEma::update(std::int64_t steps_done) {
  torch::NoGradGuard no_grad;
  const double n = static_cast<double>(steps_done);
  const double decay = std::min(decay_, (1.0 + n) / (10.0 + n));
  for (std::size_t i = 0; i < parameters_.size(); ++i) average_[i].lerp_(parameters_[i].detach(), 1.0 - decay);
}

void ParameterEma::swap() {
  torch::NoGradGuard no_grad;
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    auto current = parameters_[i].detach().clone();
    parameters_[i].detach().copy_(average_[i]);
    average_[i] = current;
  }
}

void ParameterEma::save(const std::filesystem::path& file) const {
  torch::serialize::OutputArchive archive;
  for (std::size_t i = 0; i < average_.size(); ++i) archive.write(std::to_string(i), average_[i]);
  save_archive(archive, file);
}

void ParameterEma::load(const std::filesystem::path& file) {
  if (!std::filesystem::exists(file))
    throw InputError(fmt::format("{}: missing (the run was started without --ema; resume with the same options)",
                                 file.string()));
  torch::serialize::InputArchive archive;
  try {
    archive.load_from(file.string());
  } catch (const c10::Error& e) {
    std::string message = e.what_without_backtrace();
    throw InputError(fmt::format("{}: cannot read: {}", file.string(), message.substr(0, message.find('\n'))));
  }
  torch::NoGradGuard no_grad;
  for (std::size_t i = 0; i < average_.size(); ++i) {
    torch::Tensor value;
    if (!archive.try_read(std::to_string(i), value))
      throw InputError(fmt::format("{}: no tensor '{}' (average of another model?)", file.string(), i));
    if (value.sizes() != average_[i].sizes())
      throw InputError(fmt::format("{}: tensor '{}' has shape {} but the parameter has {}", file.string(), i,
                                   fmt::join(value.sizes(), "x"), fmt::join(average_[i].sizes(), "x")));
    average_[i].copy_(value);
  }
}

}  // namespace sidr::train
