// Shared helpers for the data tests: paths of the shipped data and the mini fixture, and a scratch copy of the
// mini fixture that a test can break one file at a time.
#pragma once
#include <filesystem>
#include <string>

#include "data/dataset.h"

namespace sidr::data::testing {

inline DatasetPaths shipped_paths() {
  return {std::filesystem::path(SIDR_SOURCE_DIR) / "data" / "Amazon", "Industrial_and_Scientific"};
}
inline DatasetPaths mini_paths() { return {std::filesystem::path(SIDR_TEST_DIR) / "fixtures/data/mini", "Mini"}; }

// A copy of the mini dataset under the temp directory, removed again at the end of the test.
class ScratchDataset {
 public:
  explicit ScratchDataset(const std::string& name);
  ~ScratchDataset();
  DatasetPaths paths() const { return {root_, "Mini"}; }
  std::filesystem::path file(const std::string& relative) const { return root_ / relative; }
  std::string read(const std::string& relative) const;
  void write(const std::string& relative, const std::string& content) const;
  void append(const std::string& relative, const std::string& content) const;
  // Replaces the first occurrence of `from` (which must exist).
  void replace(const std::string& relative, const std::string& from, const std::string& to) const;

 private:
  std::filesystem::path root_;
};

inline const char* kTrain = "train/Mini_5_2016-10-2018-11.csv";
inline const char* kValid = "valid/Mini_5_2016-10-2018-11.csv";
inline const char* kTest = "test/Mini_5_2016-10-2018-11.csv";
inline const char* kIndex = "index/Mini.index.json";
inline const char* kItems = "index/Mini.item.json";
inline const char* kInfo = "info/Mini_5_2016-10-2018-11.txt";

}  // namespace sidr::data::testing
