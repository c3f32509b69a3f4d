#pragma once
// Dataset: images kept as uint8 NHWC (60,000 28x28 images are 47 MB, not
// 188 MB), an integer label per image and the class names. A batch becomes
// floats only when it is drawn (see batch.h).
#include <cstdint>
#include <string>
#include <vector>

#include "engine/core/shape.h"

namespace distillery {

struct Dataset {
  // The label of an image nobody labelled (a distillation transfer set): only
  // the teacher's outputs teach on it.
  static constexpr int kUnlabeled = -1;

  int height = 0;
  int width = 0;
  int channels = 0;               // 1 = gray, 3 = RGB
  std::vector<uint8_t> pixels;    // size() * height * width * channels
  std::vector<int> labels;        // each in [0, class_names.size()), or kUnlabeled
  std::vector<std::string> class_names;

  int size() const { return static_cast<int>(labels.size()); }
  int num_classes() const { return static_cast<int>(class_names.size()); }
  int64_t image_bytes() const { return static_cast<int64_t>(height) * width * channels; }
  Shape sample_shape() const { return Shape{height, width, channels}; }
  const uint8_t* image(int i) const { return pixels.data() + image_bytes() * i; }
  uint8_t* image(int i) { return pixels.data() + image_bytes() * i; }
  // Number of images per class, in class order (unlabeled images not counted).
  std::vector<int> class_counts() const {
    std::vector<int> counts(class_names.size(), 0);
    for (int l : labels)
      if (l != kUnlabeled) ++counts[l];
    return counts;
  }
};

}  // namespace distillery
