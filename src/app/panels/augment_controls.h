#pragma once
// The augmentation settings of a training run (Distil and Teacher panels):
// shift, flip, rotate, scale, mixup and cutmix, with the spec text they make
// (what the JS API's `augment` option takes).
#include "engine/data/augment.h"

namespace distillery {

// Returns true when a setting changed this frame.
bool draw_augment_options(AugmentSpec& spec, const char* id);

}  // namespace distillery
