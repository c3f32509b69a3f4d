#include "engine/data/dataset_ops.h"

#include <algorithm>
#include <cassert>
#include <cstring>

#include "engine/core/error.h"
#include "engine/data/image.h"

namespace distillery {

Dataset conform_dataset(const Dataset& data, const Shape& target) {
  require(target.rank() == 3 && target[0] > 0 && target[1] > 0 && (target[2] == 1 || target[2] == 3),
          "cannot bring images of " + data.sample_shape().str() + " to shape " + target.str() +
              " (expected [height, width, 1 or 3])");
  Dataset out;
  out.height = target[0];
  out.width = target[1];
  out.channels = target[2];
  out.labels = data.labels;
  out.class_names = data.class_names;
  out.pixels.resize(size_t(out.size()) * size_t(out.image_bytes()));
  // Colour first when it shrinks the image (RGB -> gray), last when it grows it.
  const int resize_channels = std::min(data.channels, out.channels);
  std::vector<uint8_t> converted(size_t(data.height) * data.width * resize_channels);
  std::vector<uint8_t> resized(size_t(out.height) * out.width * resize_channels);
  for (int i = 0; i < data.size(); ++i) {
    convert_channels(data.image(i), data.height * data.width, data.channels, converted.data(), resize_channels);
    resize_pixels(converted.data(), data.height, data.width, resized.data(), out.height, out.width, resize_channels);
    convert_channels(resized.data(), out.height * out.width, resize_channels, out.image(i), out.channels);
  }
  return out;
}

Dataset subset(const Dataset& data, const std::vector<int>& indices) {
  Dataset out;
  out.height = data.height;
  out.width = data.width;
  out.channels = data.channels;
  out.class_names = data.class_names;
  out.labels.reserve(indices.size());
  out.pixels.resize(indices.size() * size_t(data.image_bytes()));
  for (size_t k = 0; k < indices.size(); ++k) {
    const int i = indices[k];
    assert(i >= 0 && i < data.size());
    out.labels.push_back(data.labels[size_t(i)]);
    std::memcpy(out.image(int(k)), data.image(i), size_t(data.image_bytes()));
  }
  return out;
}

Dataset append_unlabeled(const Dataset& data, const Dataset& unlabeled) {
  require(data.sample_shape() == unlabeled.sample_shape(), "the unlabeled images are " +
                                                               unlabeled.sample_shape().str() +
                                                               " but the dataset's are " + data.sample_shape().str());
  Dataset out = data;
  out.labels.insert(out.labels.end(), static_cast<size_t>(unlabeled.size()), Dataset::kUnlabeled);
  out.pixels.insert(out.pixels.end(), unlabeled.pixels.begin(), unlabeled.pixels.end());
  return out;
}

}  // namespace distillery
