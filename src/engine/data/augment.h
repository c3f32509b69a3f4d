#pragma once
// Training-time augmentation, applied where a uint8 batch becomes floats:
// random translation (pad with black and crop), horizontal flip, small
// rotation and scale (one bilinear resampling), then mixup or cutmix of two
// samples and their labels with a Beta(a, a) weight.
//
//   AugmentSpec spec = parse_augment_spec("shift:2,mixup:0.2");
//   BatchAugmenter augmenter(spec, seed);
//   augmenter.draw(data, indices, count, model.preprocessing, step, images, targets);
//
// A sample's randomness depends only on (seed, step, position in the batch),
// drawn with arithmetic that rounds the same on every platform: the same seed
// gives the same bits natively and in WebAssembly, on any thread count, and a
// run restored from a checkpoint continues with the same augmentations.
#include <cstdint>
#include <string>
#include <vector>

#include "engine/core/tensor.h"
#include "engine/data/dataset.h"
#include "engine/model/preprocessing.h"

namespace distillery {

struct AugmentSpec {
  int shift = 0;          // largest translation in pixels along each axis
  bool flip = false;      // mirror left-right with probability 1/2 (wrong for digits and text)
  float rotate = 0;       // largest rotation in degrees, either way
  float scale = 0;        // largest zoom, as a fraction: factor in [1 - scale, 1 + scale]
  float mixup = 0;        // Beta(a, a) parameter of mixup; 0 is off
  float cutmix = 0;       // Beta(a, a) parameter of cutmix; 0 is off

  bool resamples() const { return rotate > 0 || scale > 0; }
  bool geometric() const { return shift > 0 || flip || resamples(); }
  bool mixes() const { return mixup > 0 || cutmix > 0; }
  bool any() const { return geometric() || mixes(); }
  bool operator==(const AugmentSpec& o) const {
    return shift == o.shift && flip == o.flip && rotate == o.rotate && scale == o.scale && mixup == o.mixup &&
           cutmix == o.cutmix;
  }
};

// "shift:2,flip,rotate:10,scale:0.1,mixup:0.2,cutmix:1" or "none" (also "").
// Throws Error naming the item that is wrong.
AugmentSpec parse_augment_spec(const std::string& text);
// The canonical text of a spec ("none" when it does nothing); parses back to it.
std::string augment_spec_text(const AugmentSpec& spec);
// The limits: shift 0..64 pixels, rotate 0..180 degrees, scale 0..0.9, mixup and cutmix 0..100.
void validate_augment_spec(const AugmentSpec& spec);

// What a drawn batch is to be learned as. Sample i is `weight[i]` of class
// `label[i]` and 1 - weight[i] of class `partner[i]` (partner == label and
// weight == 1 when nothing was mixed); `partner_position[i]` is the batch
// position it was mixed with (i itself when not mixed). A label of
// Dataset::kUnlabeled marks an image without a label.
struct BatchTargets {
  std::vector<int> label;
  std::vector<int> partner;
  std::vector<float> weight;
  std::vector<int> partner_position;
  bool mixed = false;

  // The plain targets of `indices` (no mixing).
  void assign_labels(const Dataset& data, const int* indices, int count);
};

class BatchAugmenter {
 public:
  BatchAugmenter(const AugmentSpec& spec, uint64_t seed);

  // Draws `count` samples as [count, H, W, C] floats with the preprocessing,
  // augmented as the spec says for training step `step`. No allocation once
  // the workspaces have grown to the batch size.
  void draw(const Dataset& data, const int* indices, int count, const Preprocessing& pre, int64_t step,
            Tensor& images, BatchTargets& targets);

  const AugmentSpec& spec() const { return spec_; }

 private:
  AugmentSpec spec_;
  uint64_t seed_;
  Tensor unmixed_;  // the batch before mixing: partners are read from here
};

}  // namespace distillery
