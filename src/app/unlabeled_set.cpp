#include "app/unlabeled_set.h"

#include <cmath>

#include "engine/core/error.h"
#include "engine/data/dataset_ops.h"

namespace distillery {

namespace {
// Resizing a 28 x 28 set to 32 x 32 keeps what it shows; stretching 28 x 56
// to a square does not, and a teacher's outputs on such images teach little.
constexpr double kAspectTolerance = 0.1;
}  // namespace

Dataset conform_unlabeled(Dataset images, const Shape& target, std::string* conversion) {
  require(images.size() > 0, "unlabeled images: none were found");
  require(target.rank() == 3, "unlabeled images: the dataset does not hold images");
  if (conversion) conversion->clear();
  if (images.sample_shape() == target) return images;
  const double aspect = static_cast<double>(images.width) / images.height;
  const double wanted = static_cast<double>(target[1]) / target[0];
  require(std::fabs(aspect / wanted - 1.0) <= kAspectTolerance,
          "unlabeled images: " + std::to_string(images.width) + " x " + std::to_string(images.height) +
              " images cannot be brought to the dataset's " + std::to_string(target[1]) + " x " +
              std::to_string(target[0]) + " without distorting them (another aspect ratio): use images of the "
              "dataset's shape");
  if (conversion)
    *conversion = "converted from " + images.sample_shape().str() + " to the dataset's " + target.str();
  Dataset out = conform_dataset(images, target);
  out.class_names.clear();
  return out;
}

std::vector<int> with_appended_indices(std::vector<int> train, int first, int count) {
  train.reserve(train.size() + static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) train.push_back(first + i);
  return train;
}

}  // namespace distillery
