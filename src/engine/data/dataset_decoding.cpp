// decode_dataset. Sections:
//   1. recognising a file's kind (by signature, then by name)
//   2. the formats: ZIP, gzip, CSV, IDX pair, image folder
//   3. images without labels: the same formats, labels dropped
//   4. the entry points: checking the request and conforming to the wanted shape
#include "engine/core/text.h"
#include "engine/data/dataset_decoding.h"

#include <algorithm>
#include <cctype>

#include "engine/core/error.h"
#include "engine/data/csv.h"
#include "engine/data/dataset_ops.h"
#include "engine/data/gzip.h"
#include "engine/data/idx.h"
#include "engine/data/image.h"
#include "engine/data/image_folder.h"
#include "engine/data/zip.h"

namespace distillery {
namespace {

// --- 1. recognising a file's kind ------------------------------------------------------

enum class Kind { kZip, kGzip, kCsv, kIdxImages, kIdxLabels, kImage, kOther };

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string file_name(const std::string& path) { return path.substr(path.find_last_of("/\\") + 1); }

bool has_magic(const std::vector<uint8_t>& bytes, uint8_t type_byte) {
  return bytes.size() >= 4 && bytes[0] == 0 && bytes[1] == 0 && bytes[2] == 0x08 && bytes[3] == type_byte;
}

Kind kind_of(const FileEntry& file) {
  const std::string name = lower(file.path);
  if (is_zip(file.bytes) || ends_with(name, ".zip")) return Kind::kZip;
  if (is_idx_images_name(name) || has_magic(file.bytes, 0x03)) return Kind::kIdxImages;
  if (is_idx_labels_name(name) || has_magic(file.bytes, 0x01)) return Kind::kIdxLabels;
  if (ends_with(name, ".csv") || ends_with(name, ".csv.gz")) return Kind::kCsv;
  if (has_image_extension(name)) return Kind::kImage;
  if (is_gzip(file.bytes)) return Kind::kGzip;
  return Kind::kOther;
}

// Folder clutter never decides the format.
bool is_hidden(const std::string& path) {
  const std::string name = file_name(path);
  return name.empty() || name[0] == '.' || path.rfind("__MACOSX", 0) == 0;
}

const char* kKnownFormats = "a ZIP, a CSV, IDX images and labels, or a folder with one subfolder of images per class";
const char* kUnlabeledFormats = "PNG, JPEG, BMP or GIF images in any folders, IDX images, a CSV, or a ZIP of them";

// --- 2. the formats -------------------------------------------------------------------------

// decode_files or decode_unlabeled_files: what a ZIP's entries are handed to.
using FilesDecoder = Dataset (*)(const std::vector<FileEntry>& files, const DatasetOptions& options, int depth);

Dataset decode_files(const std::vector<FileEntry>& files, const DatasetOptions& options, int depth);

Dataset decode_zip(const FileEntry& file, const DatasetOptions& options, int depth, FilesDecoder decode_entries) {
  require(depth == 0, file.path + ": a ZIP inside a ZIP is not supported");
  std::vector<FileEntry> entries = unzip(file.bytes, file.path, options.limits);
  require(!entries.empty(), file.path + ": the archive holds no files");
  DatasetOptions inner = options;
  inner.fashion_mnist_names = inner.fashion_mnist_names || lower(file.path).find("fashion") != std::string::npos;
  try {
    return decode_entries(entries, inner, depth + 1);
  } catch (const Error& e) {
    throw Error(file.path + ": " + e.what());
  }
}

Dataset decode_csv_file(const FileEntry& file, const DatasetOptions& options) {
  const std::vector<uint8_t> bytes = is_gzip(file.bytes) ? gunzip(file.bytes, file.path, options.limits.max_inflated_bytes)
                                                         : file.bytes;
  CsvOptions csv{options.height, options.width, options.channels, options.limits};
  return decode_csv(std::string(bytes.begin(), bytes.end()), csv, file.path);
}

Dataset decode_idx_pair(const FileEntry& images, const FileEntry& labels, const DatasetOptions& options) {
  IdxOptions idx;
  idx.images_name = images.path;
  idx.labels_name = labels.path;
  idx.fashion_mnist_names = options.fashion_mnist_names;
  idx.limits = options.limits;
  return decode_idx(images.bytes, labels.bytes, idx);
}

// The labels entry for an IDX images entry: by the standard name, or the only labels file.
const FileEntry* find_idx_labels(const FileEntry& images, const std::vector<const FileEntry*>& candidates) {
  const std::string wanted = lower(idx_labels_name_for(images.path));
  for (const FileEntry* file : candidates) {
    const std::string name = lower(file_name(file->path));
    if (!wanted.empty() && (name == wanted || name == wanted + ".gz")) return file;
  }
  std::vector<const FileEntry*> labels;
  for (const FileEntry* file : candidates)
    if (kind_of(*file) == Kind::kIdxLabels) labels.push_back(file);
  return labels.size() == 1 ? labels[0] : nullptr;
}

// What an unnamed gzip holds, named without its ".gz", so that its kind can be recognised.
FileEntry inflate_unnamed_gzip(const FileEntry& file, const DatasetOptions& options, int depth) {
  std::string inner_name = file.path;
  if (ends_with(lower(inner_name), ".gz")) inner_name.resize(inner_name.size() - 3);
  require(depth < 2, file.path + ": nested compression is not supported");
  return FileEntry{inner_name, gunzip(file.bytes, file.path, options.limits.max_inflated_bytes)};
}

// Several IDX images files are ambiguous: which one is the dataset?
void require_one_idx_images(const std::vector<const FileEntry*>& idx_images) {
  if (idx_images.size() <= 1) return;
  std::string names;
  for (const FileEntry* file : idx_images) names += (names.empty() ? "" : ", ") + file->path;
  throw Error("several IDX image files (" + names + "): choose one of them");
}

Dataset decode_single(const FileEntry& file, const DatasetOptions& options, int depth) {
  switch (kind_of(file)) {
    case Kind::kZip:
      return decode_zip(file, options, depth, decode_files);
    case Kind::kCsv:
      return decode_csv_file(file, options);
    case Kind::kGzip: {
      // An unnamed gzip: look at what it holds.
      const FileEntry inner = inflate_unnamed_gzip(file, options, depth);
      const Kind kind = kind_of(inner);
      require(kind != Kind::kOther && kind != Kind::kGzip,
              file.path + ": unknown dataset format inside the gzip file (expected " + kKnownFormats + ")");
      return decode_single(inner, options, depth + 1);
    }
    case Kind::kIdxImages:
      throw Error(file.path + ": IDX images need their labels file too (" + idx_labels_name_for(file.path) +
                  "[.gz] beside it, or given as the labels)");
    case Kind::kIdxLabels:
      throw Error(file.path + ": this is an IDX labels file; the images file is needed too");
    case Kind::kImage:
      throw Error(file.path + ": a single image is not a dataset (use a folder with one subfolder of images per class)");
    case Kind::kOther:
      break;
  }
  throw Error(file.path + ": unknown dataset format (expected " + kKnownFormats + ")");
}

Dataset decode_files(const std::vector<FileEntry>& all_files, const DatasetOptions& options_in, int depth) {
  DatasetOptions options = options_in;
  std::vector<const FileEntry*> files, idx_images, csvs;
  bool any_image = false;
  for (const FileEntry& file : all_files) {
    if (is_hidden(file.path)) continue;
    files.push_back(&file);
    if (lower(file.path).find("fashion") != std::string::npos) options.fashion_mnist_names = true;
    const Kind kind = kind_of(file);
    if (kind == Kind::kIdxImages) idx_images.push_back(&file);
    if (kind == Kind::kCsv) csvs.push_back(&file);
    any_image = any_image || kind == Kind::kImage;
  }
  require(!files.empty(), "no dataset files given (only hidden files)");
  if (files.size() == 1) return decode_single(*files[0], options, depth);

  if (!idx_images.empty()) {
    require_one_idx_images(idx_images);
    const FileEntry* labels = find_idx_labels(*idx_images[0], files);
    require(labels != nullptr, idx_images[0]->path + ": no labels file found for these IDX images (expected " +
                                   idx_labels_name_for(idx_images[0]->path) + "[.gz])");
    return decode_idx_pair(*idx_images[0], *labels, options);
  }
  if (any_image) {
    ImageFolderOptions folder{options.height, options.width, options.channels, options.limits};
    return decode_image_folder(all_files, folder);
  }
  if (csvs.size() == 1) return decode_csv_file(*csvs[0], options);
  throw Error("unknown dataset format for " + std::to_string(files.size()) + " files (expected " + kKnownFormats +
              ")");
}

// --- 3. images without labels ------------------------------------------------------------------

// The formats decode_files reads, except that IDX images need no labels file
// (one beside them is ignored), images need no class folders, and a CSV's
// labels are dropped: a transfer set is taught by the teacher alone.
Dataset decode_unlabeled_files(const std::vector<FileEntry>& all_files, const DatasetOptions& options, int depth) {
  std::vector<const FileEntry*> files, idx_images;
  bool any_image = false, any_csv = false;
  for (const FileEntry& file : all_files) {
    if (is_hidden(file.path)) continue;
    files.push_back(&file);
    const Kind kind = kind_of(file);
    if (kind == Kind::kIdxImages) idx_images.push_back(&file);
    any_image = any_image || kind == Kind::kImage;
    any_csv = any_csv || kind == Kind::kCsv;
  }
  require(!files.empty(), "no image files given (only hidden files)");
  if (files.size() == 1) {
    const Kind kind = kind_of(*files[0]);
    if (kind == Kind::kZip) return decode_zip(*files[0], options, depth, decode_unlabeled_files);
    if (kind == Kind::kGzip) {
      std::vector<FileEntry> inner;  // moved in: an initializer list would copy the inflated bytes
      inner.push_back(inflate_unnamed_gzip(*files[0], options, depth));
      return decode_unlabeled_files(inner, options, depth + 1);
    }
  }

  if (!idx_images.empty()) {
    require_one_idx_images(idx_images);
    IdxOptions idx;
    idx.images_name = idx_images[0]->path;
    idx.limits = options.limits;
    return decode_idx_images(idx_images[0]->bytes, idx);
  }
  if (any_image) {
    ImageFolderOptions folder{options.height, options.width, options.channels, options.limits};
    folder.unlabeled = true;
    return decode_image_folder(all_files, folder);
  }
  if (any_csv) {
    Dataset data = decode_files(all_files, options, depth);
    data.labels.assign(data.labels.size(), Dataset::kUnlabeled);
    data.class_names.clear();
    return data;
  }
  const std::string where = files.size() == 1 ? files[0]->path + ": no images found"
                                              : "no images found in " + std::to_string(files.size()) + " files";
  throw Error(where + " (expected " + kUnlabeledFormats + ")");
}

// --- 4. the entry points -----------------------------------------------------------------------

void check_options(const DatasetOptions& options) {
  require(options.height >= 0 && options.width >= 0 && options.channels >= 0,
          "the wanted image shape cannot have negative sizes");
  require(options.channels == 0 || options.channels == 1 || options.channels == 3,
          "images can be brought to 1 (gray) or 3 (RGB) channels, not " + std::to_string(options.channels));
}

// Converts to the wanted shape where the options ask for one.
Dataset conform_to_options(Dataset data, const DatasetOptions& options) {
  const Shape wanted{options.height ? options.height : data.height, options.width ? options.width : data.width,
                     options.channels ? options.channels : data.channels};
  if (wanted == data.sample_shape()) return data;
  require(int64_t(data.size()) * wanted.size() <= options.limits.max_dataset_bytes,
          std::to_string(data.size()) + " images of " + wanted.str() + " exceed the dataset limit of " +
              std::to_string(options.limits.max_dataset_bytes) + " bytes");
  return conform_dataset(data, wanted);
}

void check_file_count(const std::vector<FileEntry>& files, const DatasetOptions& options) {
  require(int64_t(files.size()) <= options.limits.max_files, std::to_string(files.size()) +
                                                                 " files are over the limit of " +
                                                                 std::to_string(options.limits.max_files));
}

}  // namespace

Dataset decode_dataset(const std::vector<FileEntry>& files, const DatasetOptions& options) {
  require(!files.empty(), "no dataset files given");
  check_options(options);
  check_file_count(files, options);
  return conform_to_options(decode_files(files, options, 0), options);
}

Dataset decode_unlabeled_images(const std::vector<FileEntry>& files, const DatasetOptions& options) {
  require(!files.empty(), "no image files given");
  check_options(options);
  check_file_count(files, options);
  Dataset data = decode_unlabeled_files(files, options, 0);
  require(data.size() > 0, "no images found (expected " + std::string(kUnlabeledFormats) + ")");
  return conform_to_options(std::move(data), options);
}

Dataset decode_idx_files(const FileEntry& images, const FileEntry& labels, const DatasetOptions& options) {
  check_options(options);
  DatasetOptions opts = options;
  opts.fashion_mnist_names = opts.fashion_mnist_names || lower(images.path).find("fashion") != std::string::npos;
  return conform_to_options(decode_idx_pair(images, labels, opts), opts);
}

}  // namespace distillery
