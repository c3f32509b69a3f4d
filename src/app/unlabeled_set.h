#pragma once
// The session's unlabeled images (a transfer set for distillation): bringing
// them to the labelled dataset's image shape, and joining them to it for a
// distillation run. The engine learns from a sample labelled
// Dataset::kUnlabeled through the teacher alone.
#include <string>
#include <vector>

#include "engine/data/dataset.h"
#include "engine/data/dataset_ops.h"  // append_unlabeled

namespace distillery {

// The images in `target` shape {H, W, C}: resized and colour-converted when
// only the size or colour differs. Throws Error when they cannot be brought
// there without distorting them (another aspect ratio) or there are none.
// `conversion` (optional) says what was converted, "" when nothing.
Dataset conform_unlabeled(Dataset images, const Shape& target, std::string* conversion = nullptr);


// `train` plus the indices [first, first + count): the appended images.
std::vector<int> with_appended_indices(std::vector<int> train, int first, int count);

}  // namespace distillery
