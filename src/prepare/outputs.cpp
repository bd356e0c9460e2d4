#include "prepare/outputs.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <unistd.h>

#include "prepare/python_json.h"
#include "util/error.h"

namespace sidr::prepare {
namespace fs = std::filesystem;
namespace {

// A file that appears under its name only when commit() is reached; buffered, so a file of millions of
// lines is never held in memory.
class StagedFile {
 public:
  explicit StagedFile(fs::path path) : path_(std::move(path)) {
    temp_ = path_;
    temp_ += ".tmp." + std::to_string(::getpid());
    file_ = std::fopen(temp_.c_str(), "wb");
    if (!file_) throw Error(path_.string() + ": cannot write: " + std::strerror(errno));
  }
  ~StagedFile() {
    if (file_) {
      std::fclose(file_);
      std::error_code ignored;
      fs::remove(temp_, ignored);
    }
  }
  void write(std::string_view text) {
    if (std::fwrite(text.data(), 1, text.size(), file_) != text.size())
      throw Error(path_.string() + ": write failed: " + std::strerror(errno));
  }
  void commit() {
    bool ok = std::fflush(file_) == 0 && ::fsync(fileno(file_)) == 0;
    ok = std::fclose(file_) == 0 && ok;
    file_ = nullptr;
    if (!ok) throw Error(path_.string() + ": write failed: " + std::strerror(errno));
    fs::rename(temp_, path_);
  }

 private:
  fs::path path_, temp_;
  std::FILE* file_ = nullptr;
};

void write_inter(const fs::path& path, const Sequences& sequences, std::size_t begin, std::size_t end) {
  StagedFile file(path);
  file.write("user_id:token\titem_id_list:token_seq\titem_id:token\n");
  std::string line;
  for (std::size_t s = begin; s < end; ++s) {
    const Sample& sample = sequences.samples[s];
    auto [first, last] = sequences.history(sample);
    if (last - first > 50) first = last - 50;
    line = std::to_string(sample.user);
    line += '\t';
    for (const std::uint32_t* it = first; it != last; ++it) {
      if (it != first) line += ' ';
      line += std::to_string(*it);
    }
    line += '\t';
    line += std::to_string(sequences.user_items[sample.user][sample.position]);
    line += '\n';
    file.write(line);
  }
  file.commit();
}

void write_user_items(const fs::path& path, const Sequences& sequences) {
  StagedFile file(path);
  if (sequences.user_items.empty()) {
    file.write("{}");
    file.commit();
    return;
  }
  file.write("{");
  std::string chunk;
  for (std::size_t u = 0; u < sequences.user_items.size(); ++u) {
    chunk = u ? ",\n  \"" : "\n  \"";
    chunk += std::to_string(u) + "\": ";
    const std::vector<std::uint32_t>& items = sequences.user_items[u];
    if (items.empty()) {
      chunk += "[]";
    } else {
      chunk += '[';
      for (std::size_t i = 0; i < items.size(); ++i) {
        chunk += i ? ",\n    " : "\n    ";
        chunk += std::to_string(items[i]);
      }
      chunk += "\n  ]";
    }
    file.write(chunk);
  }
  file.write("\n}");
  file.commit();
}

void write_items(const fs::path& path, const std::vector<ItemText>& items) {
  StagedFile file(path);
  if (items.empty()) {
    file.write("{}");
    file.commit();
    return;
  }
  file.write("{");
  std::string chunk;
  for (std::size_t i = 0; i < items.size(); ++i) {
    chunk = i ? ",\n  \"" : "\n  \"";
    chunk += std::to_string(i) + "\": {\n    \"title\": " + python_json_string(items[i].title);
    chunk += ",\n    \"description\": " + python_json_string(items[i].description);
    chunk += ",\n    \"brand\": " + python_json_string(items[i].brand);
    chunk += ",\n    \"categories\": " + python_json_string(items[i].categories) + "\n  }";
    file.write(chunk);
  }
  file.write("\n}");
  file.commit();
}

void write_remap(const fs::path& path, const NameTable& names, const std::vector<std::uint32_t>& order) {
  StagedFile file(path);
  std::string line;
  for (std::size_t i = 0; i < order.size(); ++i) {
    line = names.name(order[i]);
    line += '\t';
    line += std::to_string(i);
    line += '\n';
    file.write(line);
  }
  file.commit();
}

}  // namespace

void write_prepared(const fs::path& dir, const std::string& dataset, const InteractionTable& table,
                    const Sequences& sequences, const std::vector<ItemText>& items) {
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) throw Error(dir.string() + ": cannot create: " + error.message());
  const std::size_t total = sequences.samples.size();
  write_inter(dir / (dataset + ".train.inter"), sequences, 0, sequences.train_end);
  write_inter(dir / (dataset + ".valid.inter"), sequences, sequences.train_end, sequences.valid_end);
  write_inter(dir / (dataset + ".test.inter"), sequences, sequences.valid_end, total);
  write_user_items(dir / (dataset + ".inter.json"), sequences);
  write_items(dir / (dataset + ".item.json"), items);
  write_remap(dir / (dataset + ".user2id"), table.users, sequences.user_names);
  write_remap(dir / (dataset + ".item2id"), table.items, sequences.item_names);
}

}  // namespace sidr::prepare
