#include "native/dataset_files.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "engine/core/error.h"
#include "engine/data/idx.h"

namespace distillery {
namespace fs = std::filesystem;
namespace {

bool contains_fashion(std::string path) {
  std::transform(path.begin(), path.end(), path.begin(), [](unsigned char c) { return std::tolower(c); });
  return path.find("fashion") != std::string::npos;
}

template <typename Container>
Container read_whole_file(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw Error("cannot open " + path + ": it is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot open " + path + ": " + std::strerror(errno));
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  if (size < 0) throw Error("cannot open " + path + ": cannot determine its size");
  in.seekg(0, std::ios::beg);
  Container bytes(static_cast<size_t>(size), 0);
  if (size > 0 && !in.read(reinterpret_cast<char*>(&bytes[0]), size))
    throw Error("cannot read " + path + ": " + std::strerror(errno));
  return bytes;
}

bool is_hidden_name(const fs::path& p) {
  const std::string name = p.filename().string();
  return !name.empty() && name[0] == '.';
}

// The labels file beside an IDX images file, plain or gzipped, if it exists.
std::string find_idx_labels_beside(const fs::path& images) {
  const std::string name = idx_labels_name_for(images.filename().string());
  if (name.empty()) return "";
  for (const std::string& candidate : {name + ".gz", name}) {
    const fs::path p = images.parent_path() / candidate;
    std::error_code ec;
    if (fs::is_regular_file(p, ec)) return p.string();
  }
  return "";
}

// The path's status; throws the "cannot open" Error when nothing is there.
fs::file_status existing_status(const std::string& path) {
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (!fs::exists(status)) throw Error("cannot open " + path + ": " + std::strerror(ENOENT));
  return status;
}

using FilesDecoder = Dataset (*)(const std::vector<FileEntry>& files, const DatasetOptions& options);

// Decodes every file under `folder`. Entry paths are relative, so the
// decoder's messages get the folder as their prefix.
Dataset decode_folder(const std::string& folder, const DatasetOptions& options, FilesDecoder decode) {
  const std::vector<FileEntry> files = read_folder_entries(folder, options.limits);
  require(!files.empty(), folder + ": the folder is empty");
  try {
    return decode(files, options);
  } catch (const Error& e) {
    throw Error(folder + ": " + e.what());
  }
}

}  // namespace

std::vector<uint8_t> read_file_bytes(const std::string& path) { return read_whole_file<std::vector<uint8_t>>(path); }

std::string read_text_file(const std::string& path) { return read_whole_file<std::string>(path); }

std::vector<FileEntry> read_folder_entries(const std::string& folder, const DataLimits& limits) {
  std::vector<FileEntry> entries;
  std::error_code ec;
  fs::recursive_directory_iterator it(folder, fs::directory_options::skip_permission_denied, ec);
  if (ec) throw Error("cannot open " + folder + ": " + ec.message());
  int64_t total_bytes = 0;
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) throw Error("cannot read folder " + folder + ": " + ec.message());
    if (is_hidden_name(it->path())) {
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file(ec)) continue;
    require(int64_t(entries.size()) < limits.max_files,
            folder + ": holds more than " + std::to_string(limits.max_files) + " files");
    FileEntry entry{fs::relative(it->path(), folder).generic_string(), read_file_bytes(it->path().string())};
    total_bytes += int64_t(entry.bytes.size());
    require(total_bytes <= limits.max_inflated_bytes, folder + ": files add up to more than " +
                                                          std::to_string(limits.max_inflated_bytes) + " bytes");
    entries.push_back(std::move(entry));
  }
  // Directory order differs between file systems; sorted paths keep runs reproducible.
  std::sort(entries.begin(), entries.end(), [](const FileEntry& a, const FileEntry& b) { return a.path < b.path; });
  return entries;
}

Dataset load_dataset_from_path(const std::string& path, const std::string& labels_path, const DatasetOptions& options) {
  const fs::file_status status = existing_status(path);
  DatasetOptions opts = options;
  opts.fashion_mnist_names = opts.fashion_mnist_names || contains_fashion(fs::absolute(path).string());

  if (fs::is_directory(status)) {
    require(labels_path.empty(), "--labels goes with an IDX images file, not with the folder " + path);
    return decode_folder(path, opts, decode_dataset);
  }

  const fs::path file(path);
  std::string labels = labels_path;
  if (labels.empty() && is_idx_images_name(file.filename().string())) labels = find_idx_labels_beside(file);
  FileEntry data_file{path, read_file_bytes(path)};
  if (!labels.empty()) return decode_idx_files(data_file, FileEntry{labels, read_file_bytes(labels)}, opts);
  return decode_dataset({std::move(data_file)}, opts);
}

Dataset load_unlabeled_images_from_path(const std::string& path, const DatasetOptions& options) {
  if (fs::is_directory(existing_status(path))) return decode_folder(path, options, decode_unlabeled_images);
  // The entry's path is `path` itself, so the decoders' messages already name it; no labels file is looked for.
  std::vector<FileEntry> files;
  files.push_back(FileEntry{path, read_file_bytes(path)});
  return decode_unlabeled_images(files, options);
}

}  // namespace distillery
