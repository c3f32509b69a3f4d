#pragma once
// IDX files as used by MNIST and Fashion-MNIST: an images file (magic
// 0x00000803, uint8 [n, h, w]) and a labels file (magic 0x00000801, uint8 [n]).
// Either may be gzip-compressed; that is detected from the bytes.
#include <cstdint>
#include <string>
#include <vector>

#include "engine/data/data_limits.h"
#include "engine/data/dataset.h"

namespace distillery {

struct IdxOptions {
  std::string images_name = "images file";  // used in error messages
  std::string labels_name = "labels file";
  bool fashion_mnist_names = false;  // class names from fashion_mnist_class_names() instead of "0".."9"
  DataLimits limits;
};

// Decodes an images file alone into a gray dataset whose labels are all
// Dataset::kUnlabeled and which has no class names (a distillation transfer set).
Dataset decode_idx_images(const std::vector<uint8_t>& images_bytes, const IdxOptions& options = {});

// Decodes the pair into a gray dataset (decode_idx_images, then the labels). Class names are "0".."max label"
// (at least "0".."9"), or the Fashion-MNIST names when asked for.
Dataset decode_idx(const std::vector<uint8_t>& images_bytes, const std::vector<uint8_t>& labels_bytes,
                   const IdxOptions& options = {});

// T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal, Shirt, Sneaker, Bag, Ankle boot.
const std::vector<std::string>& fashion_mnist_class_names();

// Recognising the standard file names ("train-images-idx3-ubyte.gz",
// "t10k-labels.idx1-ubyte", ...; the path's folder is ignored).
bool is_idx_images_name(const std::string& path);
bool is_idx_labels_name(const std::string& path);
// The file name of the labels file that belongs to an images file name,
// without any ".gz" (e.g. "train-labels-idx1-ubyte" for "train-images-idx3-ubyte.gz").
std::string idx_labels_name_for(const std::string& images_path);

}  // namespace distillery
