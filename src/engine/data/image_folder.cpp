#include "engine/data/image_folder.h"

#include <algorithm>
#include <map>

#include "engine/core/error.h"
#include "engine/data/image.h"

namespace distillery {
namespace {

struct ImageFile {
  std::vector<std::string> parts;  // path components
  const FileEntry* entry;
};

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find_first_of("/\\", start);
    if (slash == std::string::npos) slash = path.size();
    if (slash > start) parts.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

bool is_hidden(const std::vector<std::string>& parts) {
  for (const std::string& part : parts)
    if (part[0] == '.' || part == "__MACOSX") return true;
  return false;
}

// Strips leading folders shared by every image, as long as that leaves the
// deepest image inside a class folder ("data/train/cat/1.png" -> "cat/1.png").
void strip_common_root(std::vector<ImageFile>& images) {
  while (true) {
    size_t deepest = 0;
    for (const ImageFile& image : images) deepest = std::max(deepest, image.parts.size());
    if (deepest < 3) return;
    const std::string& root = images[0].parts[0];
    for (const ImageFile& image : images)
      if (image.parts.size() < 2 || image.parts[0] != root) return;
    for (ImageFile& image : images) image.parts.erase(image.parts.begin());
  }
}

}  // namespace

Dataset decode_image_folder(const std::vector<FileEntry>& files, const ImageFolderOptions& options) {
  require(int64_t(files.size()) <= options.limits.max_files,
          "the folder has " + std::to_string(files.size()) + " files, over the limit of " +
              std::to_string(options.limits.max_files));
  std::vector<ImageFile> images;
  for (const FileEntry& file : files) {
    std::vector<std::string> parts = split_path(file.path);
    if (parts.empty() || is_hidden(parts) || !has_image_extension(file.path)) continue;
    images.push_back({std::move(parts), &file});
  }
  require(!images.empty(), options.unlabeled ? "no images found (expected PNG, JPEG, BMP or GIF files)"
                                             : "no images found (expected PNG, JPEG, BMP or GIF files in one folder "
                                               "per class)");
  std::sort(images.begin(), images.end(), [](const ImageFile& a, const ImageFile& b) { return a.parts < b.parts; });

  Dataset data;
  std::map<std::string, int> class_index;
  if (!options.unlabeled) {
    strip_common_root(images);
    for (const ImageFile& image : images) {
      require(image.parts.size() >= 2,
              image.entry->path + ": image is not inside a class folder (expected CLASS/IMAGE)");
      class_index.emplace(image.parts[0], 0);
    }
    require(class_index.size() >= 2, "dataset has only one class '" + class_index.begin()->first +
                                         "' (a classifier needs at least two class folders)");
    for (auto& [name, index] : class_index) {
      index = data.num_classes();
      data.class_names.push_back(name);
    }
  }

  // The shape: given, or from the first image (headers only, nothing decoded yet).
  data.height = options.height;
  data.width = options.width;
  data.channels = options.channels;
  if (!data.height || !data.width) {
    const ImageInfo first = read_image_info(images[0].entry->bytes, images[0].entry->path, options.limits);
    data.height = data.height ? data.height : first.height;
    data.width = data.width ? data.width : first.width;
  }
  if (!data.channels) {
    data.channels = 1;
    for (const ImageFile& image : images)
      if (read_image_info(image.entry->bytes, image.entry->path, options.limits).channels > 2) data.channels = 3;
  }
  require(data.channels == 1 || data.channels == 3,
          "images can be brought to 1 (gray) or 3 (RGB) channels, not " + std::to_string(data.channels));
  require(int64_t(images.size()) * data.image_bytes() <= options.limits.max_dataset_bytes,
          std::to_string(images.size()) + " images of " + Shape{data.height, data.width, data.channels}.str() +
              " exceed the dataset limit of " + std::to_string(options.limits.max_dataset_bytes) + " bytes");

  data.pixels.resize(size_t(images.size() * data.image_bytes()));
  data.labels.resize(images.size());
  for (size_t i = 0; i < images.size(); ++i) {
    const Image image = decode_image(images[i].entry->bytes, data.height, data.width, data.channels,
                                     images[i].entry->path, options.limits);
    std::copy(image.pixels.begin(), image.pixels.end(), data.image(int(i)));
    data.labels[i] = options.unlabeled ? Dataset::kUnlabeled : class_index[images[i].parts[0]];
  }
  return data;
}

}  // namespace distillery
