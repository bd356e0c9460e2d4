// Progress reporting for long work: a bar with rate and ETA on a terminal, plain periodic lines otherwise.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace sidr {

class Progress {
 public:
  // total 0 means unknown. unit names what is counted ("rows", "steps", "users").
  Progress(std::string label, std::uint64_t total, std::string unit = "it");
  ~Progress();

  void advance(std::uint64_t n = 1);
  void set_postfix(std::string text) { postfix_ = std::move(text); }  // e.g. "loss 1.23"
  void finish();
  double elapsed_seconds() const;

 private:
  void render(bool final_line);

  std::string label_;
  std::uint64_t total_;
  std::string unit_;
  std::string postfix_;
  std::uint64_t done_ = 0;
  bool tty_;
  bool finished_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_render_;
};

}  // namespace sidr
