#include "model/safetensors.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>

#include <fmt/format.h>

#include "util/error.h"
#include "util/json.h"

namespace sidr::model {
namespace fs = std::filesystem;

namespace {

constexpr std::uint64_t kMaxHeaderBytes = 100ull << 20;  // the format's own limit (100 MB)

struct DtypeEntry {
  const char* name;
  torch::Dtype dtype;
};
constexpr DtypeEntry kDtypes[] = {
    {"F32", torch::kFloat32}, {"BF16", torch::kBFloat16}, {"F16", torch::kFloat16}, {"F64", torch::kFloat64},
    {"I64", torch::kInt64},   {"I32", torch::kInt32},     {"I16", torch::kInt16},   {"I8", torch::kInt8},
    {"U8", torch::kUInt8},    {"BOOL", torch::kBool},
};

[[noreturn]] void fail(const fs::path& path, const std::string& message) {
  throw InputError(path.string() + ": " + message);
}

bool host_is_little_endian() {
  std::uint16_t probe = 1;
  std::uint8_t first;
  std::memcpy(&first, &probe, 1);
  return first == 1;
}

}  // namespace

torch::Dtype safetensors_dtype(const std::string& name, const std::string& where) {
  for (const auto& entry : kDtypes)
    if (name == entry.name) return entry.dtype;
  throw InputError(where + ": unsupported dtype '" + name + "'");
}

std::string safetensors_dtype_name(torch::Dtype dtype) {
  for (const auto& entry : kDtypes)
    if (dtype == entry.dtype) return entry.name;
  throw Error(std::string("safetensors: cannot write dtype ") + c10::toString(dtype));
}

SafetensorsReader::SafetensorsReader(const fs::path& path) : path_(path) {
  if (!host_is_little_endian()) fail(path, "big-endian hosts are not supported");
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) fail(path, std::string("cannot open: ") + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    fail(path, "not a regular file");
  }
  size_ = static_cast<std::size_t>(st.st_size);
  if (size_ < 8) {
    ::close(fd);
    fail(path, fmt::format("truncated: {} bytes, shorter than the 8-byte header length", size_));
  }
  map_ = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (map_ == MAP_FAILED) {
    map_ = nullptr;
    fail(path, std::string("cannot map: ") + std::strerror(errno));
  }
  try {
    const auto* bytes = static_cast<const std::uint8_t*>(map_);
    std::uint64_t header_len = 0;
    for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | bytes[i];
    if (header_len > kMaxHeaderBytes || header_len > size_ - 8)
      fail(path, fmt::format("truncated or corrupt: header length {} but the file has {} bytes", header_len, size_));
    std::string_view header_text(reinterpret_cast<const char*>(bytes + 8), header_len);
    OrderedJson header;
    try {
      header = parse_ordered_json(header_text, path.string() + " (header)");
    } catch (const InputError& e) {
      fail(path, std::string("corrupt header: ") + e.what());
    }
    if (!header.is_object()) fail(path, "corrupt header: not a JSON object");
    data_ = bytes + 8 + header_len;
    const std::uint64_t data_size = size_ - 8 - header_len;
    std::vector<std::pair<std::uint64_t, std::string>> starts;
    for (auto it = header.begin(); it != header.end(); ++it) {
      const std::string& name = it.key();
      if (name == "__metadata__") {
        if (!it->is_object()) fail(path, "__metadata__ must be an object of strings");
        for (auto m = it->begin(); m != it->end(); ++m) {
          if (!m->is_string()) fail(path, "__metadata__ value for '" + m.key() + "' is not a string");
          metadata_[m.key()] = m->get<std::string>();
        }
        continue;
      }
      std::string where = path.string() + ": tensor '" + name + "'";
      const auto& entry = *it;
      if (!entry.is_object() || !entry.contains("dtype") || !entry.contains("shape") ||
          !entry.contains("data_offsets"))
        throw InputError(where + ": expected {dtype, shape, data_offsets}");
      TensorInfo info;
      if (!entry["dtype"].is_string()) throw InputError(where + ": dtype is not a string");
      info.dtype = entry["dtype"].get<std::string>();
      auto dtype = safetensors_dtype(info.dtype, where);
      if (!entry["shape"].is_array()) throw InputError(where + ": shape is not a list");
      std::uint64_t numel = 1;
      for (const auto& d : entry["shape"]) {
        if (!d.is_number_unsigned()) throw InputError(where + ": shape has a non-integer or negative dimension");
        info.shape.push_back(d.get<std::int64_t>());
        numel *= d.get<std::uint64_t>();
      }
      const auto& offsets = entry["data_offsets"];
      if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
          !offsets[1].is_number_unsigned())
        throw InputError(where + ": data_offsets must be [begin, end]");
      info.begin = offsets[0].get<std::uint64_t>();
      info.end = offsets[1].get<std::uint64_t>();
      std::uint64_t expected = numel * c10::elementSize(dtype);
      if (info.end < info.begin || info.end - info.begin != expected)
        throw InputError(where + fmt::format(": data_offsets [{}, {}] hold {} bytes but dtype {} and shape need {}",
                                             info.begin, info.end, info.end - info.begin, info.dtype, expected));
      if (info.end > data_size)
        throw InputError(where + fmt::format(": truncated file: data ends at byte {} but the data section has {} bytes",
                                             info.end, data_size));
      if (infos_.count(name)) throw InputError(where + ": appears twice");
      starts.emplace_back(info.begin, name);
      names_.push_back(name);
      infos_.emplace(name, std::move(info));
    }
    // Byte ranges must not overlap (empty tensors take no bytes and can sit anywhere).
    std::sort(starts.begin(), starts.end());
    std::uint64_t covered_to = 0;
    std::string covered_by;
    for (const auto& [begin, name] : starts) {
      const auto& current = infos_.at(name);
      if (current.end == current.begin) continue;
      if (begin < covered_to)
        throw InputError(path.string() + ": tensor '" + name + "' overlaps tensor '" + covered_by + "'");
      covered_to = current.end;
      covered_by = name;
    }
  } catch (...) {
    ::munmap(map_, size_);
    map_ = nullptr;
    throw;
  }
}

SafetensorsReader::~SafetensorsReader() {
  if (map_) ::munmap(map_, size_);
}

const TensorInfo& SafetensorsReader::info(const std::string& name) const {
  auto it = infos_.find(name);
  if (it == infos_.end()) fail(path_, "no tensor named '" + name + "'");
  return it->second;
}

torch::Tensor SafetensorsReader::view(const std::string& name) const {
  const auto& tensor_info = info(name);
  auto dtype = safetensors_dtype(tensor_info.dtype, path_.string());
  // The mapping is read-only; from_blob wants a non-const pointer but nothing writes through this view.
  auto* ptr = const_cast<std::uint8_t*>(data_ + tensor_info.begin);
  return torch::from_blob(ptr, tensor_info.shape, torch::TensorOptions().dtype(dtype));
}

void write_safetensors(const fs::path& path, const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  if (!host_is_little_endian()) throw Error("safetensors: big-endian hosts are not supported");
  std::vector<torch::Tensor> cpu;  // contiguous CPU copies (views when already so)
  OrderedJson header = OrderedJson::object();
  if (!metadata.empty()) {
    OrderedJson meta = OrderedJson::object();
    for (const auto& [k, v] : metadata) meta[k] = v;
    header["__metadata__"] = meta;
  }
  std::set<std::string> seen;
  std::uint64_t offset = 0;
  for (const auto& [name, tensor] : tensors) {
    if (!seen.insert(name).second) throw Error("safetensors: tensor '" + name + "' given twice");
    auto t = tensor.detach().to(torch::kCPU).contiguous();
    OrderedJson entry;
    entry["dtype"] = safetensors_dtype_name(t.scalar_type());
    entry["shape"] = t.sizes().vec();
    std::uint64_t bytes = t.numel() * t.element_size();
    entry["data_offsets"] = {offset, offset + bytes};
    offset += bytes;
    header[name] = entry;
    cpu.push_back(t);
  }
  std::string header_text = header.dump();
  while ((8 + header_text.size()) % 8 != 0) header_text.push_back(' ');  // align the data section to 8 bytes
  if (path.has_parent_path()) fs::create_directories(path.parent_path());
  fs::path temp = path;
  temp += ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(temp.string() + ": cannot create: " + std::strerror(errno));
    std::uint64_t n = header_text.size();
    char len[8];
    for (int i = 0; i < 8; ++i) len[i] = static_cast<char>((n >> (8 * i)) & 0xff);
    out.write(len, 8);
    out.write(header_text.data(), static_cast<std::streamsize>(header_text.size()));
    for (const auto& t : cpu)
      out.write(static_cast<const char*>(t.data_ptr()), static_cast<std::streamsize>(t.numel() * t.element_size()));
    out.flush();
    if (!out) {
      std::error_code ignore;
      fs::remove(temp, ignore);
      throw Error(temp.string() + ": write failed (disk full?)");
    }
  }
  fs::rename(temp, path);
}

std::vector<std::pair<std::string, torch::Tensor>> read_safetensors(const fs::path& path) {
  SafetensorsReader reader(path);
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (const auto& name : reader.names()) out.emplace_back(name, reader.load(name));
  return out;
}

WeightFiles::WeightFiles(const fs::path& dir) {
  fs::path single = dir / "model.safetensors";
  fs::path index = dir / "model.safetensors.index.json";
  if (fs::exists(index)) {
    auto json = read_json_file(index);
    auto map = json.find("weight_map");
    if (map == json.end() || !map->is_object())
      throw_input_error(Location{index.string(), 0, 0, "weight_map"}, "missing or not an object");
    std::map<std::string, std::size_t> file_index;
    for (auto it = map->begin(); it != map->end(); ++it) {
      if (!it->is_string())
        throw_input_error(Location{index.string(), 0, 0, "weight_map"}, "value for '" + it.key() + "' is not a file name");
      auto file = it->get<std::string>();
      if (file.find('/') != std::string::npos || file == ".." || file.empty())
        throw_input_error(Location{index.string(), 0, 0, "weight_map"}, "bad shard name '" + file + "'");
      auto [pos, inserted] = file_index.emplace(file, readers_.size());
      if (inserted) readers_.push_back(std::make_unique<SafetensorsReader>(dir / file));
      if (!readers_[pos->second]->contains(it.key()))
        throw InputError(index.string() + ": tensor '" + it.key() + "' is mapped to " + file + " but not stored there");
      owner_[it.key()] = pos->second;
    }
    for (const auto& reader : readers_)
      for (const auto& name : reader->names())
        if (!owner_.count(name))
          throw InputError(reader->path().string() + ": tensor '" + name + "' is not listed in " + index.string());
  } else if (fs::exists(single)) {
    readers_.push_back(std::make_unique<SafetensorsReader>(single));
    for (const auto& name : readers_[0]->names()) owner_[name] = 0;
  } else {
    throw InputError(dir.string() + ": no model.safetensors or model.safetensors.index.json");
  }
}

std::vector<std::string> WeightFiles::names() const {
  std::vector<std::string> out;
  for (const auto& [name, _] : owner_) out.push_back(name);
  return out;
}

const TensorInfo& WeightFiles::info(const std::string& name) const { return readers_.at(owner_.at(name))->info(name); }
torch::Tensor WeightFiles::view(const std::string& name) const { return readers_.at(owner_.at(name))->view(name); }
std::string WeightFiles::file_of(const std::string& name) const {
  return readers_.at(owner_.at(name))->path().string();
}

}  // namespace sidr::model
