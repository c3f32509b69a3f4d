#include "engine/core/bytes.h"
#include "engine/core/text.h"
#include "engine/data/idx.h"

#include <algorithm>
#include <cctype>

#include "engine/core/error.h"
#include "engine/data/gzip.h"

namespace distillery {
namespace {

constexpr uint32_t kImagesMagic = 0x00000803, kLabelsMagic = 0x00000801;


std::string lower_file_name(const std::string& path) {
  std::string name = path.substr(path.find_last_of("/\\") + 1);  // npos + 1 == 0
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  if (name.size() > 3 && name.compare(name.size() - 3, 3, ".gz") == 0) name.resize(name.size() - 3);
  return name;
}

// The bytes themselves when plain, inflated when gzip.
std::vector<uint8_t> plain_bytes(const std::vector<uint8_t>& bytes, const std::string& name, const DataLimits& limits) {
  return is_gzip(bytes) ? gunzip(bytes, name, limits.max_inflated_bytes) : bytes;
}

std::string magic_hex(uint32_t magic) {
  static const char* digits = "0123456789abcdef";
  std::string s = "0x";
  for (int shift = 28; shift >= 0; shift -= 4) s += digits[(magic >> shift) & 0xF];
  return s;
}

}  // namespace

const std::vector<std::string>& fashion_mnist_class_names() {
  static const std::vector<std::string> names = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                 "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
  return names;
}

bool is_idx_images_name(const std::string& path) {
  const std::string name = lower_file_name(path);
  return ends_with(name, "images-idx3-ubyte") || ends_with(name, "images.idx3-ubyte");
}

bool is_idx_labels_name(const std::string& path) {
  const std::string name = lower_file_name(path);
  return ends_with(name, "labels-idx1-ubyte") || ends_with(name, "labels.idx1-ubyte");
}

std::string idx_labels_name_for(const std::string& images_path) {
  std::string name = images_path.substr(images_path.find_last_of("/\\") + 1);
  if (ends_with(name, ".gz") || ends_with(name, ".GZ")) name.resize(name.size() - 3);
  // Replace the last "images"/"idx3" (any case) keeping the rest of the name as it is.
  std::string lower = name;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  const size_t images_at = lower.rfind("images"), idx_at = lower.rfind("idx3");
  if (images_at == std::string::npos || idx_at == std::string::npos) return "";
  name.replace(idx_at, 4, "idx1");
  name.replace(images_at, 6, "labels");
  return name;
}

Dataset decode_idx_images(const std::vector<uint8_t>& images_bytes, const IdxOptions& options) {
  const std::string& images_name = options.images_name;
  const std::vector<uint8_t> images = plain_bytes(images_bytes, images_name, options.limits);
  require(images.size() >= 16, images_name + ": too short for an IDX images header (" +
                                   std::to_string(images.size()) + " bytes)");
  require(be32(&images[0]) == kImagesMagic,
          images_name + ": not an IDX images file (magic " + magic_hex(be32(&images[0])) + ", expected 0x00000803)");
  const int64_t count = be32(&images[4]), height = be32(&images[8]), width = be32(&images[12]);
  require(count > 0 && height > 0 && width > 0 && height <= options.limits.max_image_side &&
              width <= options.limits.max_image_side,
          images_name + ": implausible IDX dimensions " + std::to_string(count) + " x " + std::to_string(height) +
              " x " + std::to_string(width));
  const int64_t declared = count * height * width;
  const int64_t present = int64_t(images.size()) - 16;
  require(declared <= present, images_name + ": declares " + std::to_string(count) + " images of " +
                                   std::to_string(height) + "x" + std::to_string(width) + " (" +
                                   std::to_string(declared) + " bytes) but holds only " + std::to_string(present) +
                                   " bytes (truncated?)");
  require(declared == present, images_name + ": " + std::to_string(present - declared) +
                                   " unexpected bytes after the declared images");

  Dataset data;
  data.height = int(height);
  data.width = int(width);
  data.channels = 1;
  data.pixels.assign(images.begin() + 16, images.end());
  data.labels.assign(size_t(count), Dataset::kUnlabeled);
  return data;
}

Dataset decode_idx(const std::vector<uint8_t>& images_bytes, const std::vector<uint8_t>& labels_bytes,
                   const IdxOptions& options) {
  const std::string& images_name = options.images_name;
  const std::string& labels_name = options.labels_name;
  Dataset data = decode_idx_images(images_bytes, options);
  const int64_t count = data.size();
  const std::vector<uint8_t> labels = plain_bytes(labels_bytes, labels_name, options.limits);

  require(labels.size() >= 8, labels_name + ": too short for an IDX labels header (" +
                                  std::to_string(labels.size()) + " bytes)");
  require(be32(&labels[0]) == kLabelsMagic,
          labels_name + ": not an IDX labels file (magic " + magic_hex(be32(&labels[0])) + ", expected 0x00000801)");
  const int64_t label_count = be32(&labels[4]);
  require(int64_t(labels.size()) - 8 == label_count,
          labels_name + ": declares " + std::to_string(label_count) + " labels but holds " +
              std::to_string(labels.size() - 8));
  require(label_count == count, labels_name + ": has " + std::to_string(label_count) + " labels but " + images_name +
                                    " has " + std::to_string(count) + " images");

  data.labels.assign(labels.begin() + 8, labels.end());
  const int max_label = *std::max_element(data.labels.begin(), data.labels.end());
  if (options.fashion_mnist_names) {
    require(max_label < 10, labels_name + ": label " + std::to_string(max_label) +
                                " is out of range for Fashion-MNIST's 10 classes");
    data.class_names = fashion_mnist_class_names();
  } else {
    for (int c = 0; c < std::max(max_label + 1, 10); ++c) data.class_names.push_back(std::to_string(c));
  }
  return data;
}

}  // namespace distillery
